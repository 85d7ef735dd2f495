// Guards outbound webhooks against server-side request forgery: a subscription URL must not lead the
// worker into the private network (loopback, RFC 1918, link-local, carrier-grade NAT, unique-local
// IPv6…) unless the operator allows it (WEBHOOK_ALLOW_PRIVATE_TARGETS=true, e.g. for on-site
// receivers or local development). Checked at each delivery on the addresses the name resolves to.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

function ipv4Private(ip: string): boolean {
  const [a, b] = ip.split('.').map(Number);
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 198 && (b === 18 || b === 19)) ||
    a >= 224
  );
}

export function isPrivateAddress(ip: string): boolean {
  if (isIP(ip) === 4) return ipv4Private(ip);
  const v6 = ip.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(v6);
  if (mapped) return ipv4Private(mapped[1]);
  return (
    v6 === '::' ||
    v6 === '::1' ||
    v6.startsWith('fc') ||
    v6.startsWith('fd') ||
    v6.startsWith('fe8') ||
    v6.startsWith('fe9') ||
    v6.startsWith('fea') ||
    v6.startsWith('feb') ||
    v6.startsWith('ff')
  );
}

/** Why the URL may not be called, or undefined when it may. */
export async function forbiddenTarget(url: string, allowPrivate: boolean): Promise<string | undefined> {
  if (allowPrivate) return undefined;
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : (await lookup(host, { all: true })).map((a) => a.address);
  } catch (err) {
    return `cannot resolve ${host}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
  }
  const blocked = addresses.find(isPrivateAddress);
  return blocked
    ? `target ${host} resolves to the private address ${blocked}; set WEBHOOK_ALLOW_PRIVATE_TARGETS=true to allow it`
    : undefined;
}
