import { describe, it, expect } from 'vitest';
import { DateTime } from 'luxon';
import { ValidationError } from '../../../src/domain/errors.js';
import {
  addBusinessMinutes,
  businessMinutesBetween,
  parseBusinessCalendar,
  DEFAULT_BUSINESS_CALENDAR,
  guaranteedBusinessMinutes,
  MAX_HOLIDAYS,
  MIN_WEEKLY_MINUTES,
  type BusinessCalendar,
  type Weekday,
} from '../../../src/domain/sla/calendar.js';

// Reference weekdays used throughout (checked against `new Date(...).toUTCString()`):
// 2026-03-06 Fri, 2026-03-08 Sun (US DST starts), 2026-03-09 Mon, 2026-03-13 Fri,
// 2026-03-29 Sun (EU DST starts), 2026-10-25 Sun (EU DST ends), 2026-10-30 Fri,
// 2026-11-01 Sun (US DST ends), 2026-12-21 Mon.

type Interval = [string, string];
const WEEKDAYS: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

function weekdays(intervals: Interval[]): BusinessCalendar['hours'] {
  return { mon: intervals, tue: intervals, wed: intervals, thu: intervals, fri: intervals };
}

function everyDay(intervals: Interval[]): BusinessCalendar['hours'] {
  return Object.fromEntries(WEEKDAYS.map((d) => [d, intervals]));
}

const at = (iso: string) => new Date(iso);
const iso = (d: Date) => d.toISOString();

const UTC_9_17 = DEFAULT_BUSINESS_CALENDAR;
const UTC_LUNCH: BusinessCalendar = {
  timezone: 'UTC',
  hours: weekdays([
    ['09:00', '12:00'],
    ['13:00', '17:00'],
  ]),
  holidays: [],
};
const NY_9_17: BusinessCalendar = { timezone: 'America/New_York', hours: weekdays([['09:00', '17:00']]), holidays: [] };
const NY_EARLY_SUNDAY: BusinessCalendar = { timezone: 'America/New_York', hours: { sun: [['00:00', '04:00']] }, holidays: [] };
const UTC_24x7: BusinessCalendar = { timezone: 'UTC', hours: everyDay([['00:00', '24:00']]), holidays: [] };
const NY_24x7: BusinessCalendar = { timezone: 'America/New_York', hours: everyDay([['00:00', '24:00']]), holidays: [] };

describe('addBusinessMinutes: basic UTC 09:00-17:00', () => {
  it('stays within one interval', () => {
    // Mon 10:00 + 60 min, all inside 09-17.
    expect(iso(addBusinessMinutes(at('2026-03-09T10:00:00Z'), 60, UTC_9_17))).toBe('2026-03-09T11:00:00.000Z');
  });

  it('keeps a deadline that lands exactly at closing time at closing time', () => {
    // 09:00 + 480 min = the whole 8 h day: ends at 17:00 Monday, not 09:00 Tuesday.
    expect(iso(addBusinessMinutes(at('2026-03-09T09:00:00Z'), 480, UTC_9_17))).toBe('2026-03-09T17:00:00.000Z');
  });

  it('spans overnight', () => {
    // Mon 16:00: 60 min until 17:00, remaining 60 min from Tue 09:00 -> Tue 10:00.
    expect(iso(addBusinessMinutes(at('2026-03-09T16:00:00Z'), 120, UTC_9_17))).toBe('2026-03-10T10:00:00.000Z');
  });

  it('spans a weekend', () => {
    // Fri 16:30: 30 min until 17:00, Sat/Sun closed, remaining 30 min -> Mon 09:30.
    expect(iso(addBusinessMinutes(at('2026-03-13T16:30:00Z'), 60, UTC_9_17))).toBe('2026-03-16T09:30:00.000Z');
  });

  it('starts counting at the next opening when started before opening', () => {
    // Mon 07:00 is closed; counting starts 09:00 -> 09:30.
    expect(iso(addBusinessMinutes(at('2026-03-09T07:00:00Z'), 30, UTC_9_17))).toBe('2026-03-09T09:30:00.000Z');
  });

  it('starts counting at the next opening when started after closing', () => {
    // Mon 18:00 is closed; counting starts Tue 09:00 -> 09:30.
    expect(iso(addBusinessMinutes(at('2026-03-09T18:00:00Z'), 30, UTC_9_17))).toBe('2026-03-10T09:30:00.000Z');
  });

  it('starts counting at the next opening when started on a weekend', () => {
    // Sat 12:00 is closed; counting starts Mon 09:00 -> 09:30.
    expect(iso(addBusinessMinutes(at('2026-03-14T12:00:00Z'), 30, UTC_9_17))).toBe('2026-03-16T09:30:00.000Z');
  });

  it('returns the start unchanged for 0 minutes, even outside business hours', () => {
    const start = at('2026-03-14T12:34:56.789Z');
    expect(addBusinessMinutes(start, 0, UTC_9_17).getTime()).toBe(start.getTime());
  });

  it('supports fractional minutes', () => {
    // 1.5 min = 90 s after 10:00.
    expect(iso(addBusinessMinutes(at('2026-03-09T10:00:00Z'), 1.5, UTC_9_17))).toBe('2026-03-09T10:01:30.000Z');
  });

  it('rejects negative and non-finite minutes with a RangeError', () => {
    const start = at('2026-03-09T10:00:00Z');
    expect(() => addBusinessMinutes(start, -1, UTC_9_17)).toThrow(RangeError);
    expect(() => addBusinessMinutes(start, Number.NaN, UTC_9_17)).toThrow(RangeError);
    expect(() => addBusinessMinutes(start, Number.POSITIVE_INFINITY, UTC_9_17)).toThrow(RangeError);
  });

  it('rejects an invalid start date with a RangeError', () => {
    expect(() => addBusinessMinutes(new Date(Number.NaN), 10, UTC_9_17)).toThrow(RangeError);
  });

  it('gives up with an Error instead of looping for a target beyond ~100 years', () => {
    // 1e9 min / 2400 min per week is ~8000 years.
    expect(() => addBusinessMinutes(at('2026-03-09T10:00:00Z'), 1e9, UTC_9_17)).toThrow(/horizon/);
  });
});

describe('addBusinessMinutes: several intervals a day (lunch break)', () => {
  it('skips the lunch gap', () => {
    // Mon 11:30: 30 min to 12:00, lunch 12-13 skipped, 30 min more -> 13:30.
    expect(iso(addBusinessMinutes(at('2026-03-09T11:30:00Z'), 60, UTC_LUNCH))).toBe('2026-03-09T13:30:00.000Z');
  });

  it('stops at the start of lunch when the morning is used up exactly', () => {
    // 09:00 + 180 min = the whole morning interval; end is 12:00 (closing of that interval), not 13:00.
    expect(iso(addBusinessMinutes(at('2026-03-09T09:00:00Z'), 180, UTC_LUNCH))).toBe('2026-03-09T12:00:00.000Z');
  });

  it('starting during lunch counts from 13:00', () => {
    // 12:30 is closed; 13:00 + 45 -> 13:45.
    expect(iso(addBusinessMinutes(at('2026-03-09T12:30:00Z'), 45, UTC_LUNCH))).toBe('2026-03-09T13:45:00.000Z');
  });

  it('a full 7 h business day from opening ends at 17:00', () => {
    // 3 h morning + 4 h afternoon = 420 min.
    expect(iso(addBusinessMinutes(at('2026-03-09T09:00:00Z'), 420, UTC_LUNCH))).toBe('2026-03-09T17:00:00.000Z');
  });
});

describe('addBusinessMinutes: holidays', () => {
  it('skips a holiday entirely', () => {
    const cal: BusinessCalendar = { ...UTC_9_17, holidays: ['2026-03-10'] };
    // Mon 16:00: 60 min Monday; Tue 2026-03-10 is a holiday; remaining 60 min Wed 09:00 -> 10:00.
    expect(iso(addBusinessMinutes(at('2026-03-09T16:00:00Z'), 120, cal))).toBe('2026-03-11T10:00:00.000Z');
  });

  it('skips a Friday holiday and the weekend after it', () => {
    const cal: BusinessCalendar = { ...UTC_9_17, holidays: ['2026-03-13'] };
    // Thu 16:00: 60 min Thursday; Fri holiday, Sat/Sun closed; remaining 60 min -> Mon 10:00.
    expect(iso(addBusinessMinutes(at('2026-03-12T16:00:00Z'), 120, cal))).toBe('2026-03-16T10:00:00.000Z');
  });

  it('a start on a holiday counts from the next business day', () => {
    const cal: BusinessCalendar = { ...UTC_9_17, holidays: ['2026-03-10'] };
    // Tue 10:00 is inside 09-17 but a holiday; counting starts Wed 09:00 -> 09:15.
    expect(iso(addBusinessMinutes(at('2026-03-10T10:00:00Z'), 15, cal))).toBe('2026-03-11T09:15:00.000Z');
  });

  it('interprets holidays in the calendar zone, not UTC', () => {
    const cal: BusinessCalendar = { ...NY_9_17, holidays: ['2026-03-10'] };
    // Mon 2026-03-09 16:00 EDT (UTC-4) = 20:00Z: 60 min Monday; Tue holiday (local);
    // remaining 60 min Wed 09:00 EDT -> 10:00 EDT = 14:00Z.
    expect(iso(addBusinessMinutes(at('2026-03-09T20:00:00Z'), 120, cal))).toBe('2026-03-11T14:00:00.000Z');
  });
});

describe('addBusinessMinutes: 24:00 ends and around-the-clock calendars', () => {
  const EVENINGS: BusinessCalendar = { timezone: 'UTC', hours: weekdays([['18:00', '24:00']]), holidays: [] };

  it('treats 24:00 as the start of the next day', () => {
    // Mon 18:00 + 360 min = the whole 18:00-24:00 interval -> exactly Tue 00:00.
    expect(iso(addBusinessMinutes(at('2026-03-09T18:00:00Z'), 360, EVENINGS))).toBe('2026-03-10T00:00:00.000Z');
  });

  it('continues at the next evening interval after midnight', () => {
    // Mon 23:00: 60 min to midnight; Tue opens 18:00 -> 19:00.
    expect(iso(addBusinessMinutes(at('2026-03-09T23:00:00Z'), 120, EVENINGS))).toBe('2026-03-10T19:00:00.000Z');
  });

  it('runs straight through midnight when the next day opens at 00:00', () => {
    const cal: BusinessCalendar = { timezone: 'UTC', hours: { mon: [['18:00', '24:00']], tue: [['00:00', '02:00']] }, holidays: [] };
    // Mon 23:00: 60 min to midnight, 60 min more on Tue from 00:00 -> 01:00.
    expect(iso(addBusinessMinutes(at('2026-03-09T23:00:00Z'), 120, cal))).toBe('2026-03-10T01:00:00.000Z');
  });

  it('equals absolute minutes on an all-day calendar (UTC)', () => {
    const start = at('2026-03-09T10:17:00Z');
    for (const m of [1, 59, 1440, 10_081, 100_000]) {
      expect(addBusinessMinutes(start, m, UTC_24x7).getTime()).toBe(start.getTime() + m * 60_000);
    }
  });

  it('equals absolute minutes on an all-day calendar in a DST zone, across both transitions', () => {
    // Local days are 23 h / 25 h on transition days, so counting real minutes must still match.
    const start = at('2026-03-07T10:17:00Z');
    for (const m of [60, 1440, 2 * 1440, 3 * 1440, 250 * 1440 + 7]) {
      expect(addBusinessMinutes(start, m, NY_24x7).getTime()).toBe(start.getTime() + m * 60_000);
    }
    expect(businessMinutesBetween(at('2026-01-01T00:00:00Z'), at('2027-01-01T00:00:00Z'), NY_24x7)).toBe(365 * 1440);
  });
});

describe('DST: America/New_York', () => {
  it('spring forward: a 00:00-04:00 interval on 2026-03-08 holds 3 real hours', () => {
    // 00:00 EST (UTC-5) = 05:00Z; 04:00 EDT (UTC-4) = 08:00Z; 08:00Z - 05:00Z = 3 h.
    expect(businessMinutesBetween(at('2026-03-08T00:00:00Z'), at('2026-03-09T00:00:00Z'), NY_EARLY_SUNDAY)).toBe(180);
  });

  it('spring forward: adding across the transition hour uses real minutes', () => {
    // From 00:00 EST (05:00Z), 150 real minutes -> 07:30Z, which is 03:30 EDT (not 02:30 wall clock).
    expect(iso(addBusinessMinutes(at('2026-03-08T05:00:00Z'), 150, NY_EARLY_SUNDAY))).toBe('2026-03-08T07:30:00.000Z');
    // All 180 minutes end exactly at closing, 04:00 EDT = 08:00Z.
    expect(iso(addBusinessMinutes(at('2026-03-08T05:00:00Z'), 180, NY_EARLY_SUNDAY))).toBe('2026-03-08T08:00:00.000Z');
  });

  it('fall back: a 00:00-04:00 interval on 2026-11-01 holds 5 real hours', () => {
    // 00:00 EDT (UTC-4) = 04:00Z; 04:00 EST (UTC-5) = 09:00Z; 09:00Z - 04:00Z = 5 h.
    expect(businessMinutesBetween(at('2026-11-01T00:00:00Z'), at('2026-11-02T00:00:00Z'), NY_EARLY_SUNDAY)).toBe(300);
  });

  it('fall back: adding across the repeated hour uses real minutes', () => {
    // From 00:00 EDT (04:00Z), 270 real minutes -> 08:30Z = 03:30 EST.
    expect(iso(addBusinessMinutes(at('2026-11-01T04:00:00Z'), 270, NY_EARLY_SUNDAY))).toBe('2026-11-01T08:30:00.000Z');
  });

  it('fall back: the repeated 01:xx hour counts twice', () => {
    // 05:30Z = 01:30 EDT, 06:30Z = 01:30 EST (second occurrence): one real hour, all inside 00:00-04:00.
    expect(businessMinutesBetween(at('2026-11-01T05:30:00Z'), at('2026-11-01T06:30:00Z'), NY_EARLY_SUNDAY)).toBe(60);
  });

  it('fall back: an opening time in the repeated hour takes its first occurrence', () => {
    const cal: BusinessCalendar = { timezone: 'America/New_York', hours: { sun: [['01:30', '03:00']] }, holidays: [] };
    // 01:30 happens twice on 2026-11-01; the first is 01:30 EDT = 05:30Z. Closing 03:00 EST = 08:00Z.
    // So the interval holds 150 real minutes (the second occurrence, 06:30Z, would give 90).
    expect(businessMinutesBetween(at('2026-11-01T00:00:00Z'), at('2026-11-02T00:00:00Z'), cal)).toBe(150);
    expect(iso(addBusinessMinutes(at('2026-11-01T04:00:00Z'), 1, cal))).toBe('2026-11-01T05:31:00.000Z');
  });

  it('an all-day calendar counts a DST week as its real 167 hours', () => {
    // Mon 2026-03-02 00:00 EST = 05:00Z to Mon 2026-03-16 00:00 EDT = 04:00Z: 14 days minus the lost hour.
    const minutes = 14 * 1440 - 60;
    expect(businessMinutesBetween(at('2026-03-02T05:00:00Z'), at('2026-03-16T04:00:00Z'), NY_24x7)).toBe(minutes);
    expect(iso(addBusinessMinutes(at('2026-03-02T05:00:00Z'), minutes, NY_24x7))).toBe('2026-03-16T04:00:00.000Z');
    // Fall-back week: Mon 2026-10-26 00:00 EDT = 04:00Z to Mon 2026-11-02 00:00 EST = 05:00Z is 169 hours.
    expect(businessMinutesBetween(at('2026-10-26T04:00:00Z'), at('2026-11-02T05:00:00Z'), NY_24x7)).toBe(169 * 60);
  });

  it('skipping a whole week that contains the transition lands on the right next midnight', () => {
    const cal: BusinessCalendar = { timezone: 'America/New_York', hours: { mon: [['00:00', '01:00']] }, holidays: [] };
    // Mon 2026-03-02 00:00-01:00 EST (05:00Z-06:00Z) gives 60 min; the next opening is
    // Mon 2026-03-09 00:00 EDT = 04:00Z (not 05:00Z, the week had 167 h), so minute 61 ends at 04:01Z.
    expect(iso(addBusinessMinutes(at('2026-03-02T05:00:00Z'), 61, cal))).toBe('2026-03-09T04:01:00.000Z');
  });

  it('a weekday calendar picks up the new offset after a spring-forward weekend', () => {
    // Fri 2026-03-06 16:00 EST = 21:00Z: 60 min to 17:00 EST. Mon 2026-03-09 is EDT (UTC-4):
    // opening 09:00 EDT = 13:00Z, +60 -> 14:00Z. (Keeping the Friday offset would give 15:00Z.)
    expect(iso(addBusinessMinutes(at('2026-03-06T21:00:00Z'), 120, NY_9_17))).toBe('2026-03-09T14:00:00.000Z');
    expect(businessMinutesBetween(at('2026-03-06T21:00:00Z'), at('2026-03-09T14:00:00Z'), NY_9_17)).toBe(120);
  });

  it('a weekday calendar picks up the new offset after a fall-back weekend', () => {
    // Fri 2026-10-30 16:00 EDT = 20:00Z: 60 min to 17:00 EDT. Mon 2026-11-02 is EST (UTC-5):
    // opening 09:00 EST = 14:00Z, +60 -> 15:00Z.
    expect(iso(addBusinessMinutes(at('2026-10-30T20:00:00Z'), 120, NY_9_17))).toBe('2026-11-02T15:00:00.000Z');
    expect(businessMinutesBetween(at('2026-10-30T20:00:00Z'), at('2026-11-02T15:00:00Z'), NY_9_17)).toBe(120);
  });

  it('resolves an opening time inside the spring-forward gap to the first instant after the gap', () => {
    const cal: BusinessCalendar = { timezone: 'America/New_York', hours: { sun: [['02:30', '05:00']] }, holidays: [] };
    // 02:30 does not exist on 2026-03-08 (02:00 EST jumps to 03:00 EDT at 07:00Z), so the interval
    // opens at 07:00Z and closes at 05:00 EDT = 09:00Z: 120 real minutes.
    expect(businessMinutesBetween(at('2026-03-08T00:00:00Z'), at('2026-03-09T00:00:00Z'), cal)).toBe(120);
    // From Sun 00:00 EST (05:00Z), the first business minute is 07:00Z-07:01Z.
    expect(iso(addBusinessMinutes(at('2026-03-08T05:00:00Z'), 1, cal))).toBe('2026-03-08T07:01:00.000Z');
    // A week earlier there is no gap: 02:30-05:00 EST = 07:30Z-10:00Z, 150 minutes.
    expect(businessMinutesBetween(at('2026-03-01T00:00:00Z'), at('2026-03-02T00:00:00Z'), cal)).toBe(150);
  });

  it('counts whole weeks across the transition', () => {
    // Mon 2026-03-02 00:00 EST (05:00Z) to Mon 2026-03-16 00:00 EDT (04:00Z): two full working weeks, 2 x 5 x 480.
    expect(businessMinutesBetween(at('2026-03-02T05:00:00Z'), at('2026-03-16T04:00:00Z'), NY_9_17)).toBe(4800);
  });
});

describe('DST: a one-week summer time (America/Recife, October 2000)', () => {
  // Recife moved to UTC-2 at 2000-10-08T03:00Z (Sun 00:00 -> 01:00) and back to UTC-3 at
  // 2000-10-15T02:00Z (Sun 00:00 -> Sat 23:00): two changes less than 7 days apart, so equal
  // offsets at both ends of a week do not prove the week had no change.
  const RECIFE_24x7: BusinessCalendar = { timezone: 'America/Recife', hours: everyDay([['00:00', '24:00']]), holidays: [] };
  const RECIFE_9_17: BusinessCalendar = { timezone: 'America/Recife', hours: weekdays([['09:00', '17:00']]), holidays: [] };

  it('an all-day calendar still counts real minutes', () => {
    // Sun 2000-10-01 00:00 (UTC-3) = 03:00Z to Sun 2000-10-22 00:00 (UTC-3) = 03:00Z: exactly 21 days.
    expect(businessMinutesBetween(at('2000-10-01T03:00:00Z'), at('2000-10-22T03:00:00Z'), RECIFE_24x7)).toBe(21 * 1440);
    expect(iso(addBusinessMinutes(at('2000-10-01T03:00:00Z'), 21 * 1440, RECIFE_24x7))).toBe('2000-10-22T03:00:00.000Z');
  });

  it('a weekday calendar follows both changes', () => {
    // Mon 2000-10-02 09:00 (UTC-3) = 12:00Z. Two full weeks (2 x 2400) end Fri 2000-10-13 17:00 (UTC-2) = 19:00Z;
    // 60 more start Mon 2000-10-16 09:00 (UTC-3 again) = 12:00Z -> 13:00Z.
    expect(iso(addBusinessMinutes(at('2000-10-02T12:00:00Z'), 4800, RECIFE_9_17))).toBe('2000-10-13T19:00:00.000Z');
    expect(iso(addBusinessMinutes(at('2000-10-02T12:00:00Z'), 4860, RECIFE_9_17))).toBe('2000-10-16T13:00:00.000Z');
  });
});

describe('DST: Europe', () => {
  const BERLIN_EARLY_SUNDAY: BusinessCalendar = { timezone: 'Europe/Berlin', hours: { sun: [['01:00', '04:00']] }, holidays: [] };

  it('Berlin spring forward 2026-03-29: 01:00-04:00 is 2 real hours', () => {
    // 01:00 CET (UTC+1) = 00:00Z; 04:00 CEST (UTC+2) = 02:00Z.
    expect(businessMinutesBetween(at('2026-03-28T12:00:00Z'), at('2026-03-29T12:00:00Z'), BERLIN_EARLY_SUNDAY)).toBe(120);
    // 90 real minutes after 01:00 CET (00:00Z) is 01:30Z = 03:30 CEST.
    expect(iso(addBusinessMinutes(at('2026-03-29T00:00:00Z'), 90, BERLIN_EARLY_SUNDAY))).toBe('2026-03-29T01:30:00.000Z');
  });

  it('Berlin fall back 2026-10-25: 01:00-04:00 is 4 real hours', () => {
    // 01:00 CEST (UTC+2) = 2026-10-24T23:00Z; 04:00 CET (UTC+1) = 03:00Z.
    expect(businessMinutesBetween(at('2026-10-24T12:00:00Z'), at('2026-10-25T12:00:00Z'), BERLIN_EARLY_SUNDAY)).toBe(240);
    // 240 minutes from 23:00Z end exactly at closing, 03:00Z.
    expect(iso(addBusinessMinutes(at('2026-10-24T23:00:00Z'), 240, BERLIN_EARLY_SUNDAY))).toBe('2026-10-25T03:00:00.000Z');
  });

  it('London weekday calendar across the spring-forward weekend', () => {
    const cal: BusinessCalendar = { timezone: 'Europe/London', hours: weekdays([['09:00', '17:00']]), holidays: [] };
    // Fri 2026-03-27 16:00 GMT = 16:00Z: 60 min; Mon 2026-03-30 09:00 BST (UTC+1) = 08:00Z, +60 -> 09:00Z.
    expect(iso(addBusinessMinutes(at('2026-03-27T16:00:00Z'), 120, cal))).toBe('2026-03-30T09:00:00.000Z');
  });
});

describe('non-whole-hour zone: Asia/Kolkata (+05:30, no DST)', () => {
  const KOLKATA: BusinessCalendar = { timezone: 'Asia/Kolkata', hours: weekdays([['09:00', '17:00']]), holidays: [] };

  it('a full day ends at 17:00 IST', () => {
    // 09:00 IST = 03:30Z; 17:00 IST = 11:30Z.
    expect(iso(addBusinessMinutes(at('2026-03-09T03:30:00Z'), 480, KOLKATA))).toBe('2026-03-09T11:30:00.000Z');
  });

  it('a start before opening counts from 09:00 IST', () => {
    // 00:00Z = 05:30 IST (closed); 09:00 IST (03:30Z) + 60 -> 04:30Z.
    expect(iso(addBusinessMinutes(at('2026-03-09T00:00:00Z'), 60, KOLKATA))).toBe('2026-03-09T04:30:00.000Z');
  });

  it('spans a weekend', () => {
    // Fri 16:30 IST = 11:00Z: 30 min; Mon 09:00 IST (03:30Z) + 30 -> 04:00Z.
    expect(iso(addBusinessMinutes(at('2026-03-13T11:00:00Z'), 60, KOLKATA))).toBe('2026-03-16T04:00:00.000Z');
  });

  it('the local day boundary is at 18:30Z', () => {
    // 2026-03-09T18:30Z is Tue 00:00 IST: Monday's full 480 minutes lie before it, none after until Tue 09:00 IST.
    expect(businessMinutesBetween(at('2026-03-08T18:30:00Z'), at('2026-03-09T18:30:00Z'), KOLKATA)).toBe(480);
  });
});

describe('businessMinutesBetween', () => {
  it('inside one interval', () => {
    expect(businessMinutesBetween(at('2026-03-09T10:00:00Z'), at('2026-03-09T11:30:00Z'), UTC_9_17)).toBe(90);
  });

  it('across days', () => {
    // Mon 16:00-17:00 (60) + Tue 09:00-10:00 (60).
    expect(businessMinutesBetween(at('2026-03-09T16:00:00Z'), at('2026-03-10T10:00:00Z'), UTC_9_17)).toBe(120);
  });

  it('across a weekend and lunch breaks', () => {
    // Fri 11:00-12:00 (60) + 13:00-17:00 (240) + Mon 09:00-10:00 (60).
    expect(businessMinutesBetween(at('2026-03-13T11:00:00Z'), at('2026-03-16T10:00:00Z'), UTC_LUNCH)).toBe(360);
  });

  it('is 0 when to <= from', () => {
    expect(businessMinutesBetween(at('2026-03-10T10:00:00Z'), at('2026-03-09T10:00:00Z'), UTC_9_17)).toBe(0);
    expect(businessMinutesBetween(at('2026-03-09T10:00:00Z'), at('2026-03-09T10:00:00Z'), UTC_9_17)).toBe(0);
  });

  it('is 0 entirely outside business hours', () => {
    // Sat 00:00 to Mon 09:00.
    expect(businessMinutesBetween(at('2026-03-14T00:00:00Z'), at('2026-03-16T09:00:00Z'), UTC_9_17)).toBe(0);
  });

  it('skips holidays', () => {
    const cal: BusinessCalendar = { ...UTC_9_17, holidays: ['2026-03-10'] };
    // Mon (480) + Tue holiday (0) + Wed (480), Thu 09:00 excluded.
    expect(businessMinutesBetween(at('2026-03-09T09:00:00Z'), at('2026-03-12T09:00:00Z'), cal)).toBe(960);
  });

  it('is exact for instants that are not whole minutes', () => {
    // 30 s = 0.5 min; 90 s = 1.5 min.
    expect(businessMinutesBetween(at('2026-03-09T10:00:30Z'), at('2026-03-09T10:01:00Z'), UTC_9_17)).toBe(0.5);
    expect(businessMinutesBetween(at('2026-03-09T16:59:00Z'), at('2026-03-10T09:00:30Z'), UTC_9_17)).toBe(1.5);
  });

  it('counts a whole year of working weeks', () => {
    // Mon 2026-01-05 to Mon 2027-01-04 is exactly 52 weeks: 52 x 5 x 480.
    expect(businessMinutesBetween(at('2026-01-05T00:00:00Z'), at('2027-01-04T00:00:00Z'), UTC_9_17)).toBe(124_800);
  });
});

describe('consistency properties', () => {
  const NY_REALISTIC: BusinessCalendar = {
    timezone: 'America/New_York',
    hours: weekdays([
      ['09:00', '12:00'],
      ['13:00', '17:00'],
    ]),
    holidays: ['2026-01-01', '2026-01-19', '2026-02-16', '2026-05-25', '2026-07-03', '2026-09-07', '2026-11-26', '2026-11-27', '2026-12-24', '2026-12-25'],
  };
  const CALENDARS: Record<string, BusinessCalendar> = {
    UTC_9_17,
    UTC_LUNCH,
    NY_REALISTIC,
    NY_EARLY_SUNDAY,
    NY_24x7,
    KOLKATA: { timezone: 'Asia/Kolkata', hours: weekdays([['09:00', '17:00']]), holidays: ['2026-03-10'] },
    BERLIN_EVENINGS: { timezone: 'Europe/Berlin', hours: { ...weekdays([['18:00', '24:00']]), sun: [['00:00', '04:00']] }, holidays: [] },
  };
  // Starts every 37 h 13 min from late February to mid November, so they hit every hour of
  // the day, weekends and both DST transitions.
  const STARTS = Array.from({ length: 180 }, (_, i) => new Date(Date.UTC(2026, 1, 20) + i * (37 * 60 + 13) * 60_000));
  const MINUTES = [1, 7, 59, 60, 179, 180, 481, 1000, 2400, 10_000];

  for (const [name, cal] of Object.entries(CALENDARS)) {
    it(`round trips: businessMinutesBetween(start, addBusinessMinutes(start, m)) === m (${name})`, () => {
      for (const start of STARTS) {
        for (const m of MINUTES) {
          const end = addBusinessMinutes(start, m, cal);
          expect(end.getTime()).toBeGreaterThan(start.getTime());
          expect(businessMinutesBetween(start, end, cal)).toBe(m);
        }
      }
    });
  }

  it('100,000 minutes: exact hand-checked value on the default calendar', () => {
    // 100,000 = 41 weeks x 2400 + 1600. Mon 2026-03-09 09:00 + 41 weeks (287 days) = Mon 2026-12-21 09:00;
    // 1600 more = Mon, Tue, Wed (3 x 480 = 1440) + 160 min on Thu -> Thu 2026-12-24 11:40Z.
    const start = at('2026-03-09T09:00:00Z');
    const end = addBusinessMinutes(start, 100_000, UTC_9_17);
    expect(iso(end)).toBe('2026-12-24T11:40:00.000Z');
    expect(businessMinutesBetween(start, end, UTC_9_17)).toBe(100_000);
  });

  it('100,000 minutes on a realistic calendar terminates and agrees with a day-by-day sum', () => {
    const start = at('2026-01-02T15:00:00Z');
    const end = addBusinessMinutes(start, 100_000, NY_REALISTIC);
    expect(businessMinutesBetween(start, end, NY_REALISTIC)).toBe(100_000);
    // Sum over one-day chunks never takes the whole-week shortcut, so it checks that shortcut independently.
    let sum = 0;
    for (let t = start.getTime(); t < end.getTime(); t += 86_400_000) {
      sum += businessMinutesBetween(new Date(t), new Date(Math.min(t + 86_400_000, end.getTime())), NY_REALISTIC);
    }
    expect(sum).toBe(100_000);
    // The last minute before the deadline is a business minute (the deadline is not pushed past a closing).
    expect(businessMinutesBetween(new Date(end.getTime() - 60_000), end, NY_REALISTIC)).toBe(1);
  });

  it('a year-long businessMinutesBetween equals the sum of its days', () => {
    const from = at('2026-01-01T00:00:00Z');
    const to = at('2027-01-01T00:00:00Z');
    let sum = 0;
    for (let t = from.getTime(); t < to.getTime(); t += 86_400_000) {
      sum += businessMinutesBetween(new Date(t), new Date(t + 86_400_000), NY_REALISTIC);
    }
    // 261 weekdays in 2026, 10 of them holidays: 251 x 420.
    expect(sum).toBe(251 * 420);
    expect(businessMinutesBetween(from, to, NY_REALISTIC)).toBe(sum);
  });
});

/**
 * Independent brute-force reference: a minute is business time when its *local* wall clock
 * (per luxon) falls inside one of that local weekday's intervals and its local date is not a
 * holiday. Calendars below keep interval boundaries outside the DST gap/repeat hours, where the
 * wall-clock membership view and the instant-interval view necessarily agree.
 */
describe('agreement with a minute-by-minute reference around DST transitions', () => {
  const toMin = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));

  function businessMinuteFlags(cal: BusinessCalendar, from: number, minutes: number): Uint8Array {
    const flags = new Uint8Array(minutes);
    for (let i = 0; i < minutes; i++) {
      const dt = DateTime.fromMillis(from + i * 60_000, { zone: cal.timezone });
      if (cal.holidays.includes(dt.toISODate()!)) continue;
      const m = dt.hour * 60 + dt.minute;
      const intervals = cal.hours[WEEKDAYS[dt.weekday - 1]!] ?? [];
      flags[i] = intervals.some(([s, e]) => m >= toMin(s) && m < toMin(e)) ? 1 : 0;
    }
    return flags;
  }

  const hours = {
    ...weekdays([
      ['09:00', '12:00'],
      ['13:00', '17:00'],
    ]),
    sat: [['22:00', '24:00']] as Interval[],
    sun: [
      ['00:00', '04:00'],
      ['20:00', '24:00'],
    ] as Interval[],
  };
  const CASES: Array<[string, string, string[]]> = [
    ['America/New_York', '2026-03-05T00:00:00Z', ['2026-03-09']],
    ['America/New_York', '2026-10-29T00:00:00Z', []],
    ['Europe/Berlin', '2026-03-26T00:00:00Z', []],
    ['Europe/Berlin', '2026-10-22T00:00:00Z', ['2026-10-26']],
    // 30-minute DST shifts (02:00 -> 01:30 and 02:00 -> 02:30).
    ['Australia/Lord_Howe', '2026-04-02T00:00:00Z', []],
    ['Australia/Lord_Howe', '2026-10-01T00:00:00Z', []],
    // Transitions at local midnight: Sat 24:00 -> Sat 23:00, and Sat 24:00 -> Sun 01:00 (Sunday starts at 01:00).
    ['America/Santiago', '2026-04-02T00:00:00Z', []],
    ['America/Santiago', '2026-09-03T00:00:00Z', []],
  ];
  const WINDOW = 7 * 1440;

  for (const [zone, fromIso, holidays] of CASES) {
    it(`${zone} from ${fromIso}`, () => {
      const cal: BusinessCalendar = { timezone: zone, hours, holidays };
      const from = at(fromIso).getTime();
      const flags = businessMinuteFlags(cal, from, WINDOW);
      const prefix = new Int32Array(WINDOW + 1);
      for (let i = 0; i < WINDOW; i++) prefix[i + 1] = prefix[i]! + flags[i]!;

      for (let a = 0; a < WINDOW; a += 97) {
        for (let b = a; b <= WINDOW; b += 331) {
          const expected = prefix[b]! - prefix[a]!;
          expect(businessMinutesBetween(new Date(from + a * 60_000), new Date(from + b * 60_000), cal)).toBe(expected);
        }
        // addBusinessMinutes must land at the end of the m-th business minute after `a`.
        for (const m of [1, 30, 120, 600, 1000]) {
          const target = prefix[a]! + m;
          let i = a;
          while (i < WINDOW && prefix[i + 1]! < target) i++;
          if (i >= WINDOW) continue;
          expect(addBusinessMinutes(new Date(from + a * 60_000), m, cal).getTime()).toBe(from + (i + 1) * 60_000);
        }
      }
    });
  }
});

describe('validation', () => {
  const valid = (): { timezone: string; hours: Record<string, unknown>; holidays: unknown[] } => ({
    timezone: 'America/New_York',
    hours: { mon: [['09:00', '17:00']] },
    holidays: ['2026-12-25'],
  });

  function issuesOf(input: unknown): ValidationError['issues'] {
    try {
      parseBusinessCalendar(input);
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      return (err as ValidationError).issues;
    }
    throw new Error('expected a ValidationError');
  }

  it('accepts a valid calendar and the default one', () => {
    expect(parseBusinessCalendar(valid())).toEqual(valid());
    expect(parseBusinessCalendar(DEFAULT_BUSINESS_CALENDAR)).toEqual(DEFAULT_BUSINESS_CALENDAR);
  });

  it('accepts unsorted, adjacent intervals and a 24:00 end', () => {
    const input = { ...valid(), hours: { mon: [['13:00', '24:00'], ['00:00', '13:00']] } };
    expect(() => parseBusinessCalendar(input)).not.toThrow();
  });

  it('rejects an unknown zone', () => {
    expect(issuesOf({ ...valid(), timezone: 'Mars/Olympus_Mons' })).toEqual([{ path: ['timezone'], message: 'Unknown IANA time zone' }]);
  });

  it('rejects an end before the start', () => {
    const issues = issuesOf({ ...valid(), hours: { mon: [['09:00', '17:00']], tue: [['17:00', '09:00']] } });
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toEqual(['hours', 'tue', 0]);
    expect(issues[0]!.message).toMatch(/17:00-09:00 must close after it opens/);
  });

  it('rejects an end equal to the start', () => {
    const issues = issuesOf({ ...valid(), hours: { mon: [['09:00', '12:00'], ['13:00', '13:00']] } });
    expect(issues.map((i) => i.path)).toEqual([['hours', 'mon', 1]]);
  });

  it('rejects overlapping intervals, sorted or not', () => {
    const sorted = issuesOf({ ...valid(), hours: { mon: [['09:00', '12:00'], ['11:00', '13:00']] } });
    expect(sorted).toHaveLength(1);
    expect(sorted[0]!.path).toEqual(['hours', 'mon', 1]);
    expect(sorted[0]!.message).toMatch(/overlaps interval 09:00-12:00 at index 0/);

    // Unsorted: 11:00-13:00 (index 0) starts inside 09:00-12:00 (index 1).
    const unsorted = issuesOf({ ...valid(), hours: { wed: [['11:00', '13:00'], ['09:00', '12:00']] } });
    expect(unsorted.map((i) => i.path)).toEqual([['hours', 'wed', 0]]);

    // An interval nested in a wide one is caught even when a non-overlapping one sits between them in order.
    const nested = issuesOf({ ...valid(), hours: { mon: [['08:00', '18:00'], ['09:00', '10:00'], ['12:00', '13:00']] } });
    expect(nested.map((i) => i.path)).toEqual([
      ['hours', 'mon', 1],
      ['hours', 'mon', 2],
    ]);
  });

  it('rejects malformed times', () => {
    const issues = issuesOf({ ...valid(), hours: { mon: [['9:00', '17:00'], ['18:00', '25:00'], ['24:00', '24:00']] } });
    expect(issues.map((i) => i.path)).toEqual([
      ['hours', 'mon', 0, 0],
      ['hours', 'mon', 1, 1],
      ['hours', 'mon', 2, 0],
    ]);
    expect(issues[0]!.message).toMatch(/HH:MM/);
  });

  it('rejects impossible and misformatted holidays', () => {
    const issues = issuesOf({ ...valid(), holidays: ['2026-02-30', '2026/01/01', '2024-02-29'] });
    // 2024-02-29 is a real (leap) date and passes.
    expect(issues.map((i) => i.path)).toEqual([
      ['holidays', 0],
      ['holidays', 1],
    ]);
    expect(issues[0]!.message).toMatch(/YYYY-MM-DD/);
  });

  it('rejects an unknown weekday key', () => {
    const issues = issuesOf({ ...valid(), hours: { mon: [['09:00', '17:00']], monday: [['09:00', '17:00']] } });
    // ValidationError.fromZod reports each unknown key at its own path.
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toEqual(['hours', 'monday']);
    expect(issues[0]!.message).toMatch(/Unknown weekday "monday"; expected one of mon, tue/);
  });

  it('rejects a calendar without any business hours', () => {
    for (const hours of [{}, { mon: [], sat: [] }]) {
      const issues = issuesOf({ ...valid(), hours });
      expect(issues.map((i) => i.path)).toEqual([['hours']]);
      expect(issues[0]!.message).toMatch(/At least one weekday/);
    }
  });

  it('rejects unknown top-level keys and missing fields', () => {
    expect(issuesOf({ ...valid(), extra: 1 }).map((i) => i.path)).toEqual([['extra']]);
    const missing = valid() as Partial<ReturnType<typeof valid>>;
    delete missing.holidays;
    expect(issuesOf(missing).map((i) => i.path)).toEqual([['holidays']]);
  });

  it('rejects a calendar open less than an hour a week, naming the hours', () => {
    const issues = issuesOf({ ...valid(), hours: { mon: [['09:00', '09:30']], fri: [['16:00', '16:29']] } });
    expect(issues.map((i) => i.path)).toEqual([['hours']]);
    expect(issues[0]!.message).toMatch(/Open 59 minute\(s\) a week; at least 60/);
    expect(() => parseBusinessCalendar({ ...valid(), hours: { mon: [['09:00', '09:30']], fri: [['16:00', '16:30']] } })).not.toThrow();
    expect(MIN_WEEKLY_MINUTES).toBe(60);
  });

  it('rejects more holidays than a century has, holidays in year 0, and more than 48 intervals a day', () => {
    const day = (i: number) => new Date(Date.UTC(2000, 0, 1 + i)).toISOString().slice(0, 10);
    expect(() => parseBusinessCalendar({ ...valid(), holidays: Array.from({ length: MAX_HOLIDAYS }, (_, i) => day(i)) })).not.toThrow();
    expect(issuesOf({ ...valid(), holidays: Array.from({ length: MAX_HOLIDAYS + 1 }, (_, i) => day(i)) }).map((i) => i.path)).toEqual([['holidays']]);
    expect(issuesOf({ ...valid(), holidays: ['0000-01-01', '0001-01-01'] }).map((i) => i.path)).toEqual([['holidays', 0]]);
    const halfHours = Array.from({ length: 49 }, (_, i) => [`${String(Math.floor(i / 3)).padStart(2, '0')}:${String((i % 3) * 20).padStart(2, '0')}`, `${String(Math.floor(i / 3)).padStart(2, '0')}:${String((i % 3) * 20 + 10).padStart(2, '0')}`]);
    expect(issuesOf({ ...valid(), hours: { mon: halfHours } }).map((i) => i.path)).toEqual([['hours', 'mon']]);
  });

  it('still computes with a calendar stored before those limits (configured, not re-judged)', () => {
    const legacy = { timezone: 'UTC', hours: { mon: [['09:00', '09:30']] as Interval[] }, holidays: ['0000-01-01', ...Array.from({ length: 1_200 }, (_, i) => new Date(Date.UTC(2000, 0, 1 + i)).toISOString().slice(0, 10))] };
    expect(issuesOf(legacy).map((i) => i.path.join('.'))).toContain('holidays');
    expect(addBusinessMinutes(at('2026-03-09T09:00:00Z'), 30, legacy)).toEqual(at('2026-03-09T09:30:00Z'));
  });

  it('says how many business minutes a calendar guarantees within the horizon, on the safe side', () => {
    const weekly = (hours: Record<string, Interval[]>, holidays: string[] = []) => guaranteedBusinessMinutes({ timezone: 'UTC', hours, holidays });
    const week = weekly({ mon: [['09:00', '10:00']] });
    // ~5,227 whole weeks of one hour, less the offset allowance.
    expect(week).toBeGreaterThan(5_000 * 60 - 30_000);
    expect(week).toBeLessThan(5_229 * 60);
    // Each holiday may take the longest day.
    expect(weekly({ mon: [['09:00', '10:00']] }, ['2026-01-05', '2026-01-12'])).toBe(week - 120);
    // The default calendar reaches the longest target a policy may have (ten years).
    expect(guaranteedBusinessMinutes(DEFAULT_BUSINESS_CALENDAR)).toBeGreaterThan(10 * 366 * 24 * 60);
    // And what it guarantees is really reachable from an awkward start.
    const thin = { timezone: 'Europe/Paris', hours: { mon: [['09:00', '10:00']] as Interval[] }, holidays: ['2030-01-07'] };
    expect(() => addBusinessMinutes(at('2026-03-09T09:30:00Z'), guaranteedBusinessMinutes(thin), thin)).not.toThrow();
  });

  it('the arithmetic functions validate the calendar too', () => {
    const bad = { ...valid(), timezone: 'Nowhere/Special' } as BusinessCalendar;
    expect(() => addBusinessMinutes(at('2026-03-09T10:00:00Z'), 10, bad)).toThrow(ValidationError);
    expect(() => businessMinutesBetween(at('2026-03-09T10:00:00Z'), at('2026-03-10T10:00:00Z'), bad)).toThrow(ValidationError);
  });
});
