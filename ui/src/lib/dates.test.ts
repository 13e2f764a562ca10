import { describe, expect, it } from 'vitest';
import { exactDate, headerDateTitle, listDate, localDate, senderClock } from './dates';

const berlin = { locale: 'en-GB', timeZone: 'Europe/Berlin' };
const now = new Date('2026-11-24T15:00:00Z');

describe('dates', () => {
  it("shows list dates in the user's zone, shorter the closer they are", () => {
    expect(listDate('2026-11-24T09:30:00Z', now, berlin)).toBe('10:30');
    expect(listDate('2026-11-21T09:30:00Z', now, berlin)).toBe('Sat 21 Nov, 10:30');
    expect(listDate('2025-12-24T16:20:00Z', now, berlin)).toBe('24 Dec 2025');
    // 23:30 UTC is already the next day in Berlin.
    expect(listDate('2026-11-23T23:30:00Z', now, berlin)).toBe('00:30');
    expect(listDate('2026-11-21T09:30:00Z', now, { locale: 'de-DE', timeZone: 'Europe/Berlin' })).toBe('Sa., 21. Nov., 10:30');
    expect(listDate('yesterday', now, berlin)).toBe('yesterday');
  });

  it("shows a message's date in full in the user's zone", () => {
    expect(localDate('2017-12-30T20:50:01+01:00', berlin)).toBe('Sat, 30 Dec 2017, 20:50');
    expect(localDate('2017-12-30T20:50:01+01:00', { locale: 'en-US', timeZone: 'America/New_York' })).toBe('Sat, Dec 30, 2017, 02:50 PM');
  });

  it('gives the exact local value and the UTC one on hover', () => {
    expect(exactDate('2026-11-21T09:30:05Z', berlin)).toBe('Saturday, 21 November 2026 at 10:30:05 CET\n2026-11-21T09:30:05Z');
    expect(exactDate('soon', berlin)).toBe('soon');
  });

  it("shows a Date header on the sender's clock, with its offset and the header as written", () => {
    expect(senderClock('2017-12-30T20:50:01+01:00')).toBe('2017-12-30 20:50 +01:00');
    expect(senderClock('2026-11-21T09:30:00Z')).toBe('2026-11-21 09:30 UTC');
    expect(senderClock('Sat, 30 Dec 2017')).toBe('Sat, 30 Dec 2017');
    expect(headerDateTitle('2017-12-30T20:50:01+01:00', 'Sat, 30 Dec 2017 20:50:01 +0100', berlin)).toBe(
      "Saturday, 30 December 2017 at 20:50:01 CET\nOn the sender's clock: 2017-12-30 20:50 +01:00\nDate: Sat, 30 Dec 2017 20:50:01 +0100",
    );
  });
});
