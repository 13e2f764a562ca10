// What the Health view and the expiry banner say, apart from the markup so it can be tested.
import type { Expiring, Health } from './bindings';

/** The chip's words and its colour class. */
export function chip(status: Health | null): { text: string; tone: 'ok' | 'warn' | 'bad' | 'muted' } {
  switch (status) {
    case 'OK':
      return { text: 'OK', tone: 'ok' };
    case 'WARNING':
      return { text: 'Warning', tone: 'warn' };
    case 'CRITICAL':
      return { text: 'Critical', tone: 'bad' };
    case 'UNKNOWN':
      return { text: 'Unknown', tone: 'muted' };
    default:
      return { text: 'Not checked', tone: 'muted' };
  }
}

/** A check's label with its protocol when the label alone repeats (IMAP's and SMTP's sign-in). */
export function checkLabel(id: string, label: string): string {
  const protocol = /^(imap|smtp)-auth$/.exec(id)?.[1];
  return protocol ? `${protocol.toUpperCase()}: ${label}` : label;
}

/** "checked 5 minutes ago" from an RFC 3339 time, as of `now`. */
export function checkedAgo(at: string, now: Date = new Date()): string {
  const secs = Math.max(0, Math.round((now.getTime() - new Date(at).getTime()) / 1000));
  if (Number.isNaN(secs)) return 'checked at an unknown time';
  const [n, unit] =
    secs < 60 ? [0, ''] : secs < 3600 ? [Math.floor(secs / 60), 'minute'] : secs < 86400 ? [Math.floor(secs / 3600), 'hour'] : [Math.floor(secs / 86400), 'day'];
  return n === 0 ? 'checked just now' : `checked ${n} ${unit}${n === 1 ? '' : 's'} ago`;
}

/** The banner's sentence for the profiles whose credential expires soon (or has expired). */
export function expiryText(expiring: Expiring[]): string {
  const one = (e: Expiring) =>
    e.days_left < 0
      ? `${e.profile} (expired ${e.expires_on})`
      : e.days_left === 0
        ? `${e.profile} (expires today)`
        : `${e.profile} (${e.days_left} day${e.days_left === 1 ? '' : 's'} left, ${e.expires_on})`;
  const names = expiring.map(one).join(', ');
  return expiring.length === 1 ? `The app's client secret of ${names} needs renewing.` : `App secrets need renewing: ${names}.`;
}
