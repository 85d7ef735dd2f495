// The directory as CSV (RFC 4180: comma-separated, double quotes around fields with commas, quotes or
// line breaks, "" for a quote). Lists inside a field are separated by "|". Pure.

export const CSV_COLUMNS = [
  'id',
  'name',
  'roles',
  'team',
  'region',
  'manager',
  'productLines',
  'models',
  'email',
  'mobile',
  'wecomId',
  'dingtalkId',
  'feishuId',
  'calendar',
  'locale',
  'active',
] as const;
export type CsvColumn = (typeof CSV_COLUMNS)[number];

/** Parses CSV text into rows of fields; throws naming the line of an unterminated quote. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let quoteLine = 0;
  const src = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (quoted) {
      if (c === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"' && field === '') {
      quoted = true;
      quoteLine = line;
    } else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && src[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      line++;
    } else field += c;
  }
  if (quoted) throw new Error(`line ${quoteLine}: a quoted field is not closed`);
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0] === ''));
}

const quote = (v: string) => (/[",\r\n]/.test(v) || /^\s|\s$/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

export function toCsv(rows: readonly (readonly string[])[]): string {
  return `${rows.map((r) => r.map(quote).join(',')).join('\r\n')}\r\n`;
}

export const splitList = (v: string) =>
  v
    .split('|')
    .map((s) => s.trim())
    .filter((s) => s !== '');
