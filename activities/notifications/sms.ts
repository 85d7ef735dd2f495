// SMS behind a provider interface: a gateway adapter sends one text to one mobile number. The built-in
// provider posts JSON to an HTTP gateway (SMS_URL, SMS_TOKEN); a vendor SDK (Aliyun, Tencent Cloud…)
// plugs in as another SmsProvider.
import { type ChannelSender, ChannelUnavailable } from './channel.js';
import { postJson } from './http.js';

export interface SmsProvider {
  send(mobile: string, text: string): Promise<void>;
}

/** POST {to, text} with a bearer token; a 2xx answer {"ok": true} (or no body) is a success. */
export function httpSmsProvider(settings: {
  url: string;
  token?: string;
  allowPrivateTargets: boolean;
}): SmsProvider {
  return {
    async send(mobile, text) {
      const answer = (await postJson(
        settings.url,
        { to: mobile, text },
        {
          allowPrivateTargets: settings.allowPrivateTargets,
          headers: settings.token ? { authorization: `Bearer ${settings.token}` } : {},
        },
      )) as { ok?: boolean; error?: string } | null;
      if (answer && answer.ok === false)
        throw new Error(`SMS gateway refused: ${answer.error ?? 'no reason'}`);
    },
  };
}

export function smsChannel(provider: SmsProvider): ChannelSender {
  return {
    async send(to, m) {
      if (!to.mobile) throw new ChannelUnavailable(`${to.id} has no mobile number`);
      // A text message is short: the title says what and which case.
      await provider.send(to.mobile, `【售后】${m.title}`);
    },
  };
}
