// Loading a report and the states it can be in. A 404 means this server has no report endpoints (yet):
// the view says so plainly instead of failing.
import { useEffect, useState } from 'react';
import { ApiError, api } from '../api';
import { useI18n } from '../i18n';

export type Report<T> =
  | { state: 'loading' }
  | { state: 'ok'; data: T }
  | { state: 'unavailable'; path: string }
  | { state: 'forbidden' }
  | { state: 'failed'; detail: string };

export function useReport<T>(path: string, reload: number): Report<T> {
  const [report, setReport] = useState<Report<T>>({ state: 'loading' });
  // biome-ignore lint/correctness/useExhaustiveDependencies: `reload` asks for the same path again
  useEffect(() => {
    let current = true;
    setReport({ state: 'loading' });
    api<T>(path).then(
      (data) => current && setReport({ state: 'ok', data }),
      (err) => {
        if (!current) return;
        if (err instanceof ApiError && err.status === 404)
          setReport({ state: 'unavailable', path: path.split('?')[0] });
        else if (err instanceof ApiError && err.status === 403) setReport({ state: 'forbidden' });
        else setReport({ state: 'failed', detail: (err as Error).message });
      },
    );
    return () => {
      current = false;
    };
  }, [path, reload]);
  return report;
}

/** What to show instead of the report while it is not there; null once it is. */
export function ReportState({ report }: { report: Report<unknown> }) {
  const { t } = useI18n();
  if (report.state === 'ok') return null;
  if (report.state === 'loading') return <p className="muted">{t('board.loading')}</p>;
  const text =
    report.state === 'unavailable'
      ? t('report.unavailable', { path: report.path })
      : report.state === 'forbidden'
        ? t('report.forbidden')
        : t('report.failed', { detail: report.detail });
  return (
    <div className={`notice notice-${report.state}`} data-testid="report-state" data-state={report.state}>
      {text}
    </div>
  );
}

/** Integer fen (1/100 CNY) as yuan. */
export const yuan = (fen: number | null | undefined, lang: string) =>
  fen === null || fen === undefined
    ? '—'
    : (fen / 100).toLocaleString(lang, { style: 'currency', currency: 'CNY', maximumFractionDigits: 0 });
