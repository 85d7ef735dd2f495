// One JSON POST to a chat robot or an SMS gateway: the address guard of outbound webhooks, a timeout,
// and the answer's JSON checked by the channel (robots answer 200 with an error code in the body).
import { forbiddenTarget } from '../webhook-target.js';
import { HTTP_TIMEOUT_MS } from './channel.js';

export interface PostOptions {
  allowPrivateTargets: boolean;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

export async function postJson(url: string, body: unknown, opts: PostOptions): Promise<unknown> {
  const refused = await forbiddenTarget(url, opts.allowPrivateTargets);
  if (refused) throw new Error(refused);
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8', ...opts.headers },
    body: JSON.stringify(body),
    redirect: 'manual',
    signal: AbortSignal.timeout(opts.timeoutMs ?? HTTP_TIMEOUT_MS),
  });
  const text = await res.text();
  if (res.status < 200 || res.status > 299) throw new Error(`HTTP ${res.status}`);
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    throw new Error('the answer is not JSON');
  }
}
