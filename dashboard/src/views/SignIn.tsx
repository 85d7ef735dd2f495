// Sign-in with an API key: checked against the API (a one-item case list) before it is kept for the
// browser session.
import { type FormEvent, useState } from 'react';
import { ApiError, api } from '../api';
import { useI18n } from '../i18n';

export function SignIn({
  onSignedIn,
  onSwitchLang,
}: {
  onSignedIn(key: string): void;
  onSwitchLang(): void;
}) {
  const { t } = useI18n();
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const trimmed = key.trim();
    if (!trimmed) return;
    setBusy(true);
    setError(null);
    try {
      await api('/api/v1/cases?limit=1', {}, trimmed);
      onSignedIn(trimmed);
    } catch (err) {
      setError(
        err instanceof ApiError && err.status === 401
          ? t('signIn.invalid')
          : t('signIn.failed', { detail: (err as Error).message }),
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="sign-in">
      <form onSubmit={submit} data-testid="sign-in">
        <h1>{t('title')}</h1>
        <h2>{t('signIn.title')}</h2>
        <label>
          {t('signIn.key')}
          <input
            type="password"
            autoComplete="off"
            spellCheck={false}
            value={key}
            onChange={(e) => setKey(e.target.value)}
            placeholder="shk_…"
            data-testid="api-key"
          />
        </label>
        <p className="hint">{t('signIn.hint')}</p>
        {error && (
          <p className="error" data-testid="sign-in-error">
            {error}
          </p>
        )}
        <div className="row">
          <button type="submit" disabled={busy} data-testid="sign-in-submit">
            {t('signIn.submit')}
          </button>
          <button type="button" className="link" onClick={onSwitchLang} data-testid="switch-lang">
            {t('language')}
          </button>
        </div>
      </form>
    </div>
  );
}
