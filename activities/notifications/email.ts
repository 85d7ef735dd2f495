// E-mail over SMTP (nodemailer). One transport per process; a connection per message, so a slow server
// holds up only the deliveries in flight to it (a pool of a few connections would queue every mail).
import nodemailer from 'nodemailer';
import { type ChannelSender, ChannelUnavailable } from './channel.js';

export interface SmtpSettings {
  /** smtp://user:pass@host:port or smtps://… */
  url: string;
  /** From address, e.g. "售后服务 <aftersales@example.com>". */
  from: string;
}

export function emailChannel(settings: SmtpSettings): ChannelSender & { close(): void } {
  const url = new URL(settings.url);
  const secure = url.protocol === 'smtps:';
  const transport = nodemailer.createTransport({
    host: url.hostname,
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    ...(url.username
      ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } }
      : {}),
    // A plain-text server on a private network (tests, an on-site relay) is allowed when the URL says so.
    ignoreTLS: url.searchParams.get('tls') === 'off',
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
  return {
    async send(to, m) {
      if (!to.email) throw new ChannelUnavailable(`${to.id} has no e-mail address`);
      await transport.sendMail({
        from: settings.from,
        to: { name: to.name, address: to.email },
        subject: m.title,
        text: `${to.name}：\n\n${m.body}\n\n— shouhou 售后 (${m.kind}${m.caseId ? `, ${m.caseId}` : ''})`,
        headers: { 'X-Shouhou-Kind': m.kind, ...(m.caseId ? { 'X-Shouhou-Case': m.caseId } : {}) },
      });
    },
    close: () => transport.close(),
  };
}
