// Dates as support staff read them: in their own time zone and locale, with the exact value
// (and what the server or the sender wrote) on hover. Pure functions; `zone` and `now` are
// parameters so that Vitest can pin them.

type Zone = { locale?: string; timeZone?: string };

function parsed(iso: string): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(iso)) return null;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

function dayKey(d: Date, z: Zone): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: z.timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
}

/**
 * A list date, short: the time alone today, weekday and day this year ("Tue, 24 Nov, 09:30"),
 * with the year before that; anything not an ISO date unchanged.
 */
export function listDate(iso: string, now: Date = new Date(), z: Zone = {}): string {
  const d = parsed(iso);
  if (!d) return iso;
  const time: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit' };
  const fmt = (o: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat(z.locale, { timeZone: z.timeZone, ...o }).format(d);
  if (dayKey(d, z) === dayKey(now, z)) return fmt(time);
  const sameYear = dayKey(d, z).slice(0, 4) === dayKey(now, z).slice(0, 4);
  if (sameYear) return fmt({ weekday: 'short', day: 'numeric', month: 'short', ...time });
  return fmt({ day: 'numeric', month: 'short', year: 'numeric' });
}

/** A date with weekday, day and minute in the user's zone ("Sat, 21 Nov 2026, 10:30"). */
export function localDate(iso: string, z: Zone = {}): string {
  const d = parsed(iso);
  if (!d) return iso;
  return new Intl.DateTimeFormat(z.locale, {
    timeZone: z.timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  }).format(d);
}

/** The full date to the second in the user's zone, the zone named; anything else unchanged. */
function exactLocal(iso: string, z: Zone): string {
  const d = parsed(iso);
  return d ? new Intl.DateTimeFormat(z.locale, { timeZone: z.timeZone, dateStyle: 'full', timeStyle: 'long' }).format(d) : iso;
}

/** The full date to the second in the user's zone (named), then the UTC value as given. */
export function exactDate(iso: string, z: Zone = {}): string {
  return parsed(iso) ? `${exactLocal(iso, z)}\n${iso}` : iso;
}

/** A Date header (RFC 3339 from the core) as "2017-12-30 20:50 +01:00": the sender's clock and
 * offset, as written; anything else unchanged. */
export function senderClock(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.exec(iso);
  return m ? `${m[1]} ${m[2]} ${m[3] === 'Z' ? 'UTC' : m[3]}` : iso;
}

/** The hover text of a message's Date: the exact local value, the sender's clock, the header. */
export function headerDateTitle(iso: string, raw: string | null, z: Zone = {}): string {
  const lines = [exactLocal(iso, z), `On the sender's clock: ${senderClock(iso)}`];
  if (raw) lines.push(`Date: ${raw}`);
  return lines.join('\n');
}
