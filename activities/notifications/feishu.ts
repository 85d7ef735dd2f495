// Feishu (飞书) custom bot, signed: timestamp (s) and sign = base64(HMAC-SHA256 keyed with
// timestamp + "\n" + secret over an empty message) go in the body. A text message @-mentions the
// person by Feishu user id (<at user_id="…">); it answers {"code":0} (older bots {"StatusCode":0}).
import { createHmac } from 'node:crypto';
import { type ChannelSender, ChannelUnavailable } from './channel.js';
import { postJson } from './http.js';

export function feishuSign(secret: string, timestamp: number): string {
  return createHmac('sha256', `${timestamp}\n${secret}`).update('').digest('base64');
}

const escapeXml = (s: string) => s.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);

export function feishuChannel(opts: { allowPrivateTargets: boolean }): ChannelSender {
  return {
    async send(to, m) {
      const robot = to.robots.feishu;
      if (!robot) throw new ChannelUnavailable(`${to.id}'s team has no Feishu robot`);
      if (!to.feishuId) throw new ChannelUnavailable(`${to.id} has no Feishu user id`);
      const timestamp = Math.floor(Date.now() / 1000);
      const body = {
        ...(robot.secret ? { timestamp: String(timestamp), sign: feishuSign(robot.secret, timestamp) } : {}),
        msg_type: 'text',
        content: {
          text: `<at user_id="${escapeXml(to.feishuId)}">${escapeXml(to.name)}</at> ${m.title}\n${m.body}`,
        },
      };
      const answer = (await postJson(robot.url, body, opts)) as {
        code?: number;
        msg?: string;
        StatusCode?: number;
      } | null;
      const code = answer?.code ?? answer?.StatusCode;
      if (code !== 0) throw new Error(`Feishu answered code ${code}: ${answer?.msg}`);
    },
  };
}
