// DingTalk (钉钉) custom group robot, signed ("加签"): timestamp (ms) and
// sign = urlencode(base64(HMAC-SHA256(secret, timestamp + "\n" + secret))) go on the address.
// A text message @-mentions the person by DingTalk user id or mobile; it answers {"errcode":0}.
import { createHmac } from 'node:crypto';
import { type ChannelSender, ChannelUnavailable } from './channel.js';
import { postJson } from './http.js';

export function dingtalkSign(secret: string, timestamp: number): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
}

export function dingtalkChannel(opts: { allowPrivateTargets: boolean }): ChannelSender {
  return {
    async send(to, m) {
      const robot = to.robots.dingtalk;
      if (!robot) throw new ChannelUnavailable(`${to.id}'s team has no DingTalk robot`);
      if (!to.dingtalkId && !to.mobile)
        throw new ChannelUnavailable(`${to.id} has no DingTalk user id or mobile`);
      const url = new URL(robot.url);
      if (robot.secret) {
        const timestamp = Date.now();
        url.searchParams.set('timestamp', String(timestamp));
        url.searchParams.set('sign', dingtalkSign(robot.secret, timestamp));
      }
      // A mention only shows when the text names the person with @.
      const mention = to.mobile ? `@${to.mobile}` : `@${to.dingtalkId}`;
      const answer = (await postJson(
        url.toString(),
        {
          msgtype: 'text',
          text: { content: `${m.title}\n${m.body}\n${mention}` },
          at: {
            atUserIds: to.dingtalkId ? [to.dingtalkId] : [],
            atMobiles: to.mobile ? [to.mobile] : [],
            isAtAll: false,
          },
        },
        opts,
      )) as { errcode?: number; errmsg?: string } | null;
      if (answer?.errcode !== 0)
        throw new Error(`DingTalk answered errcode ${answer?.errcode}: ${answer?.errmsg}`);
    },
  };
}
