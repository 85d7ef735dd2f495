// The period of a report: `from` and `to` as dates (YYYY-MM-DD, local days of the reporting time zone,
// both days included) or as instants (date-time with an offset; `to` excluded). Pure.
import { localDateOf, zonedTime } from '../calendar.js';

export interface Period {
  from: string;
  to: string;
  /** The instants the period spans: [fromInstant, toInstant). */
  fromInstant: Date;
  toInstant: Date;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** The period, or why it cannot be one. */
export function parsePeriod(from: string, to: string, timeZone: string): Period | { problem: string } {
  const start = DATE.test(from) ? zonedTime(timeZone, from, '00:00') : new Date(from);
  const end = DATE.test(to) ? zonedTime(timeZone, nextDay(to), '00:00') : new Date(to);
  if (Number.isNaN(start.getTime())) return { problem: `from "${from}" is not a date or a date-time` };
  if (Number.isNaN(end.getTime())) return { problem: `to "${to}" is not a date or a date-time` };
  if (start >= end)
    return { problem: `the period from ${from} to ${to} is empty: "from" must come before "to"` };
  return { from, to, fromInstant: start, toInstant: end };
}

/** The local date of an instant in the reporting time zone. */
export const localDate = (timeZone: string, at: Date) => localDateOf(timeZone, at);
