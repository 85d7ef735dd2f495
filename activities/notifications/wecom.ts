// WeCom (企业微信) group robot: a text message mentioning the person by WeCom user id or mobile.
// The robot's address carries its key; it answers {"errcode":0,"errmsg":"ok"}.
import { type ChannelSender, ChannelUnavailable } from './channel.js';
import { postJson } from './http.js';

export function wecomChannel(opts: { allowPrivateTargets: boolean }): ChannelSender {
  return {
    async send(to, m) {
      const robot = to.robots.wecom;
      if (!robot) throw new ChannelUnavailable(`${to.id}'s team has no WeCom robot`);
      if (!to.wecomId && !to.mobile) throw new ChannelUnavailable(`${to.id} has no WeCom user id or mobile`);
      const answer = (await postJson(
        robot.url,
        {
          msgtype: 'text',
          text: {
            content: `${m.title}\n${m.body}`,
            mentioned_list: to.wecomId ? [to.wecomId] : [],
            mentioned_mobile_list: to.mobile ? [to.mobile] : [],
          },
        },
        opts,
      )) as { errcode?: number; errmsg?: string } | null;
      if (answer?.errcode !== 0)
        throw new Error(`WeCom answered errcode ${answer?.errcode}: ${answer?.errmsg}`);
    },
  };
}
