// Local receivers for notification channels: an SMTP server (smtp-server) that keeps what it is sent,
// and one HTTP server standing in for the WeCom, DingTalk and Feishu robots and an SMS gateway, each
// checking the documented message format and signature before it answers as the real service does.
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface Mail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  raw: string;
}

/** RFC 2047 encoded words (=?UTF-8?B?…?= / ?Q?) in a header. */
function decodeWords(v: string): string {
  return v.replace(/=\?([^?]+)\?([BQbq])\?([^?]*)\?=\s*/g, (_m, _cs, enc, data) =>
    enc.toUpperCase() === 'B'
      ? Buffer.from(data, 'base64').toString('utf8')
      : Buffer.from(
          data
            .replace(/_/g, ' ')
            .replace(/=([0-9A-F]{2})/gi, (_x: string, h: string) => String.fromCharCode(parseInt(h, 16))),
          'latin1',
        ).toString('utf8'),
  );
}

function parseMail(raw: string, from: string, to: string[]): Mail {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  let body = raw.slice(split + 4);
  const header = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head)?.[1] ?? '';
  const encoding = header('Content-Transfer-Encoding').toLowerCase();
  if (encoding === 'base64') body = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  else if (encoding === 'quoted-printable')
    body = Buffer.from(
      body
        .replace(/=\r?\n/g, '')
        .replace(/=([0-9A-F]{2})/gi, (_x, h) => String.fromCharCode(parseInt(h, 16))),
      'latin1',
    ).toString('utf8');
  return { from, to, subject: decodeWords(header('Subject')), text: body, raw };
}

export async function startSmtp(): Promise<{ url: string; mails: Mail[]; close(): Promise<void> }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        mails.push(
          parseMail(
            Buffer.concat(chunks).toString('utf8'),
            from,
            session.envelope.rcptTo.map((r) => r.address),
          ),
        );
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}?tls=off`,
    mails,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface RobotCall {
  service: 'wecom' | 'dingtalk' | 'feishu' | 'sms';
  body: Record<string, unknown>;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
}

export const DINGTALK_SECRET = 'SECdingtalk-test-secret';
export const FEISHU_SECRET = 'feishu-test-secret';
export const SMS_TOKEN = 'sms-test-token';

/**
 * Answers like the services: 200 with an error code in the body when the format or signature is
 * wrong. `failing` makes a service answer 500 (a channel that is down).
 */
export async function startChatReceivers() {
  const calls: RobotCall[] = [];
  const rejected: { service: string; why: string }[] = [];
  const failing = new Set<string>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const service = url.pathname.split('/')[1] as RobotCall['service'];
      const answer = (status: number, json: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(json));
      };
      if (failing.has(service)) return answer(500, { error: 'down' });
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        rejected.push({ service, why: 'not JSON' });
        return answer(400, {});
      }
      const why = check(service, body, url.searchParams, req.headers);
      if (why) {
        rejected.push({ service, why });
        return service === 'feishu'
          ? answer(200, { code: 19021, msg: why, data: {} })
          : service === 'sms'
            ? answer(200, { ok: false, error: why })
            : answer(200, { errcode: 310000, errmsg: why });
      }
      calls.push({ service, body, query: url.searchParams, headers: req.headers });
      if (service === 'feishu') return answer(200, { code: 0, msg: 'success', data: {} });
      if (service === 'sms') return answer(200, { ok: true });
      return answer(200, { errcode: 0, errmsg: 'ok' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  return {
    base,
    urls: {
      wecom: `${base}/wecom/cgi-bin/webhook/send?key=test-key`,
      dingtalk: `${base}/dingtalk/robot/send?access_token=test-token`,
      feishu: `${base}/feishu/open-apis/bot/v2/hook/test-hook`,
      sms: `${base}/sms/send`,
    },
    calls,
    rejected,
    failing,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function check(
  service: string,
  b: Record<string, unknown>,
  q: URLSearchParams,
  headers: IncomingMessage['headers'],
): string | undefined {
  const text = b.text as { content?: unknown; mentioned_list?: unknown } | undefined;
  switch (service) {
    case 'wecom':
      if (q.get('key') !== 'test-key') return 'invalid webhook key';
      if (b.msgtype !== 'text' || typeof text?.content !== 'string')
        return 'msgtype text with text.content expected';
      if (!Array.isArray(text.mentioned_list)) return 'mentioned_list must be a list';
      return undefined;
    case 'dingtalk': {
      const timestamp = q.get('timestamp');
      const sign = q.get('sign');
      if (!timestamp || !sign) return 'timestamp and sign required';
      if (Math.abs(Date.now() - Number(timestamp)) > 3_600_000) return 'timestamp too old';
      const expected = createHmac('sha256', DINGTALK_SECRET)
        .update(`${timestamp}\n${DINGTALK_SECRET}`)
        .digest('base64');
      if (sign !== expected) return 'sign not match';
      if (b.msgtype !== 'text' || typeof text?.content !== 'string')
        return 'msgtype text with text.content expected';
      const at = b.at as { atUserIds?: unknown; atMobiles?: unknown } | undefined;
      if (!Array.isArray(at?.atUserIds) || !Array.isArray(at?.atMobiles))
        return 'at.atUserIds / at.atMobiles expected';
      return undefined;
    }
    case 'feishu': {
      const { timestamp, sign } = b as { timestamp?: string; sign?: string };
      if (!timestamp || !sign) return 'timestamp and sign required';
      if (Math.abs(Date.now() / 1000 - Number(timestamp)) > 3600) return 'timestamp too old';
      const expected = createHmac('sha256', `${timestamp}\n${FEISHU_SECRET}`).update('').digest('base64');
      if (sign !== expected) return 'sign match fail';
      const content = b.content as { text?: unknown } | undefined;
      if (b.msg_type !== 'text' || typeof content?.text !== 'string')
        return 'msg_type text with content.text expected';
      return undefined;
    }
    case 'sms':
      if (headers.authorization !== `Bearer ${SMS_TOKEN}`) return 'bad token';
      if (typeof b.to !== 'string' || typeof b.text !== 'string') return 'to and text expected';
      return undefined;
    default:
      return `unknown service ${service}`;
  }
}
