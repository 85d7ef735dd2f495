// Text the read model can store. Postgres refuses a NUL character in text and JSON, and a lone UTF-16
// surrogate in JSON; such text can still reach a workflow (a client that bypasses the API, a case
// started before the API refused it). The workflow keeps a case operable by writing the offending
// transition with these characters replaced. Pure: used by the workflow and the activities.

/** NUL, and any surrogate that is not half of a proper pair. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is exactly what this looks for
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** U+FFFD, the character Unicode reserves for "something unreadable stood here". */
export const REPLACEMENT = '\ufffd';

export const isStorableText = (s: string) => !new RegExp(UNSTORABLE.source).test(s);

export const storableText = (s: string) => s.replace(UNSTORABLE, REPLACEMENT);

/**
 * A deep copy of a JSON value with every string (keys too) made storable; values without unstorable
 * text come back equal. Non-JSON values (undefined, functions) are dropped as JSON would drop them.
 */
export function storableJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value), (_key, v) => {
    if (typeof v === 'string') return storableText(v);
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      let dirty = false;
      for (const k of Object.keys(v)) if (!isStorableText(k)) dirty = true;
      if (!dirty) return v;
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [storableText(k), x]));
    }
    return v;
  }) as T;
}

/** Whether any string in a JSON value (keys included) holds unstorable text. */
export function hasUnstorableText(value: unknown): boolean {
  if (typeof value === 'string') return !isStorableText(value);
  if (Array.isArray(value)) return value.some(hasUnstorableText);
  if (value && typeof value === 'object')
    return Object.entries(value).some(([k, v]) => !isStorableText(k) || hasUnstorableText(v));
  return false;
}

/**
 * Makes every string in a JSON-like value storable in place, keeping each object and array itself (the
 * workflow holds references into its state), and renaming keys that hold unstorable text.
 */
export function makeStorableInPlace(value: unknown): void {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      if (typeof v === 'string') value[i] = storableText(v);
      else makeStorableInPlace(v);
    }
    return;
  }
  if (!value || typeof value !== 'object') return;
  const o = value as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    const v = o[key];
    const clean = typeof v === 'string' ? storableText(v) : v;
    if (typeof v !== 'string') makeStorableInPlace(v);
    if (isStorableText(key)) o[key] = clean;
    else {
      delete o[key];
      o[storableText(key)] = clean;
    }
  }
}

/**
 * The failure type of a write no retry can cure (text or a value the database refuses). Activities throw
 * it non-retryable; the workflow records the failure and writes the transition made storable.
 */
export const UNSTORABLE_DATA = 'UnstorableData';
