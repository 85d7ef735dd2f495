// One rule for every piece of text a request carries — each string and property name of a JSON body,
// each query parameter, each path parameter: no NUL, no other C0 control character except tab, line
// feed and carriage return, no lone UTF-16 surrogate, and (in the URL and the body's bytes) only valid
// UTF-8. Such text cannot be stored (Postgres refuses NUL; a lone surrogate cannot be encoded) and
// would otherwise fail deep inside a workflow's projection, wedging the case. It is refused here, once,
// as a hook on every route — so routes added later are covered without doing anything — with a 400
// naming the field.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Problem } from '../problem.js';

// C0 controls other than \t (09), \n (0a) and \r (0d).
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/;
// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** What is wrong with a text, or undefined when it may be stored. */
export function textFault(s: string): string | undefined {
  const m = CONTROL.exec(s);
  if (m) {
    const code = m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    return `contains the control character U+${code}${code === '0000' ? ' (NUL)' : ''}`;
  }
  if (LONE_SURROGATE.test(s)) return 'contains a lone UTF-16 surrogate (not a valid Unicode character)';
  return undefined;
}

export type TextLocation = 'body' | 'query' | 'path';

export const invalidText = (where: TextLocation, field: string, fault: string) =>
  new Problem(
    400,
    'invalid-text',
    'Bad request',
    `${where} field "${field}" ${fault}; text may not contain control characters other than tab, line feed and carriage return, nor invalid Unicode`,
    { in: where, field },
  );

/** A property name as it appears in a field path: plain when it is a simple name, else JSON-quoted. */
const segment = (key: string) => (/^[A-Za-z_$][\w$-]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`);

/**
 * The first string or property name in `value` that breaks the rule, with its path. Walks with an
 * explicit stack: a body of deeply nested arrays must not overflow the call stack.
 */
export function findBadText(value: unknown): { field: string; fault: string } | undefined {
  const stack: Array<[unknown, string]> = [[value, '']];
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      const fault = textFault(v);
      if (fault) return { field: path || '(the whole value)', fault };
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${path}[${i}]`]);
    } else if (v && typeof v === 'object') {
      const entries = Object.entries(v);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i];
        const childPath = `${path}${segment(key)}`.replace(/^\./, '');
        const fault = textFault(key);
        if (fault) return { field: childPath, fault: `has a property name that ${fault}` };
        stack.push([child, childPath]);
      }
    }
  }
  return undefined;
}

/** Percent-decodes to bytes and checks they are UTF-8; JS's decoders would silently substitute U+FFFD. */
function percentDecodesToUtf8(raw: string): boolean {
  if (!raw.includes('%')) return true;
  const bytes: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 0x25 && /^[0-9A-Fa-f]{2}$/.test(raw.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(raw.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c < 0x80) {
      bytes.push(c);
    } else {
      bytes.push(...Buffer.from(raw[i]));
    }
  }
  try {
    strictUtf8.decode(Uint8Array.from(bytes));
    return true;
  } catch {
    return false;
  }
}

/** The raw query string's parameters whose names or values do not percent-decode to UTF-8. */
function checkRawQuery(url: string) {
  const q = url.indexOf('?');
  if (q < 0) return;
  for (const pair of url.slice(q + 1).split('&')) {
    const eq = pair.indexOf('=');
    const name = eq < 0 ? pair : pair.slice(0, eq);
    const value = eq < 0 ? '' : pair.slice(eq + 1);
    const nameOk = percentDecodesToUtf8(name);
    if (!nameOk || !percentDecodesToUtf8(value)) {
      const shown = nameOk ? decodeURIComponent(name.replace(/\+/g, ' ')) : JSON.stringify(name.slice(0, 50));
      throw invalidText('query', shown, 'is not valid UTF-8 once percent-decoded');
    }
  }
}

function check(where: TextLocation, value: unknown) {
  const bad = findBadText(value);
  if (bad) throw invalidText(where, bad.field, bad.fault);
}

export function registerInputText(app: FastifyInstance) {
  // Body bytes must be UTF-8: the default parser would turn invalid bytes into U+FFFD without a word.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    let text: string;
    try {
      text = strictUtf8.decode(body as Buffer);
    } catch {
      done(
        new Problem(400, 'invalid-text', 'Bad request', 'the request body is not valid UTF-8', {
          in: 'body',
        }),
      );
      return;
    }
    parseJson(req, text, done);
  });

  app.addHook('preValidation', async (req: FastifyRequest) => {
    checkRawQuery(req.raw.url ?? '');
    check('path', req.params);
    check('query', req.query);
    check('body', req.body);
  });
}
