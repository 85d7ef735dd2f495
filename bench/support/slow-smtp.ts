// A local mail server that answers each message only after `delayMs`: a slow company mail relay. The
// escalation benchmark sends its notifications through it to show that recording an escalation only
// queues the mail — the timers do not wait for the relay.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface SlowSmtp {
  url: string;
  /** Messages accepted so far. */
  accepted(): number;
  close(): Promise<void>;
}

export async function startSlowSmtp(delayMs: number): Promise<SlowSmtp> {
  let accepted = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    maxClients: 1000,
    onData(stream, _session, callback) {
      stream.resume();
      stream.on('end', () =>
        setTimeout(() => {
          accepted += 1;
          callback();
        }, delayMs),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}?tls=off`,
    accepted: () => accepted,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
