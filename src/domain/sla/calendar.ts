import { IANAZone } from 'luxon';
import { z } from 'zod';
import { ValidationError } from '../errors.js';
import { BoundedCache } from '../cache.js';

/**
 * Business-hours calendar arithmetic for SLA clocks.
 *
 * Everything is computed on instants (UTC epoch ms). Each local calendar day is pinned to
 * instants in the calendar's zone, so DST days are as long as they really are (23 h / 25 h)
 * and wall-clock hours are never added.
 */

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

export interface BusinessCalendar {
  /** IANA zone the hours and holidays are expressed in, e.g. `America/New_York`. */
  timezone: string;
  /** Local opening intervals per weekday, `[start, end)`, e.g. `mon: [["09:00","17:00"]]`. `24:00` ends at midnight. */
  hours: Partial<Record<Weekday, Array<[string, string]>>>;
  /** Local dates (`YYYY-MM-DD`, in `timezone`) on which the clock does not run at all. */
  holidays: string[];
}

/** Index 0 = Monday, matching luxon's weekday numbering minus one. */
const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
const MINUTES_PER_DAY = 1440;
/** ~100 years of days: far beyond any sane SLA, but it guarantees termination for any input. */
const MAX_DAYS = 36_600;

/**
 * Configuration limits, so every accepted calendar computes a deadline quickly: an hour a
 * week is the least business time an SLA clock can be counted in, a thousand holidays is a
 * century of public holidays, and 48 intervals a day is one per half hour.
 */
export const MIN_WEEKLY_MINUTES = 60;
export const MAX_HOLIDAYS = 1_000;
const MAX_INTERVALS_PER_DAY = 48;
/**
 * Offset changes can shorten business days: allowed for as two a year of up to two hours
 * (Antarctica/Troll) over the horizon, so capacity estimates stay on the safe side.
 */
const DST_ALLOWANCE_MINUTES = 2 * 101 * 120;

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

const START_TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const END_TIME = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

const startTimeSchema = z
  .string()
  .regex(START_TIME, 'Opening time must be "HH:MM" between 00:00 and 23:59');
const endTimeSchema = z
  .string()
  .regex(END_TIME, 'Closing time must be "HH:MM" between 00:00 and 24:00 (24:00 = end of day)');

const intervalSchema = z.tuple([startTimeSchema, endTimeSchema]).superRefine(([start, end], ctx) => {
  // Refinements also run after format issues; only compare well-formed times.
  if (!START_TIME.test(start) || !END_TIME.test(end)) return;
  if (toMinutes(end) <= toMinutes(start)) {
    ctx.addIssue({
      code: 'custom',
      message: `Interval ${start}-${end} must close after it opens (use 24:00 for end of day)`,
    });
  }
});

const intervalsSchema = z.array(intervalSchema);
type Intervals = z.output<typeof intervalsSchema>;
const noOverlaps = (intervals: Intervals, ctx: z.RefinementCtx) => {
  for (const issue of findOverlaps(intervals)) ctx.addIssue({ code: 'custom', ...issue });
};

function hoursSchemaOf<D extends z.ZodType<Intervals, Intervals>>(day: D) {
  return z.strictObject(Object.fromEntries(WEEKDAYS.map((d) => [d, day.optional()])) as Record<Weekday, z.ZodOptional<D>>, {
    error: (iss) =>
      iss.code === 'unrecognized_keys'
        ? `Unknown weekday ${iss.keys.map((k) => `"${k}"`).join(', ')}; expected one of ${WEEKDAYS.join(', ')}`
        : undefined,
  });
}

const holidaySchema = z.string().refine(isRealIsoDate, 'Holiday must be a real calendar date written YYYY-MM-DD');
const zoneSchema = z.string().refine((zone) => IANAZone.isValidZone(zone), 'Unknown IANA time zone');

/**
 * Two strengths. A calendar being configured (`businessCalendarSchema`) must also keep to
 * the configuration limits, so that every ticket under it gets its deadlines; a calendar
 * already stored is only checked for what the arithmetic needs, so tightening the limits
 * never breaks the tickets of a workspace configured before.
 */
function calendarSchemaOf(configuring: boolean) {
  const day = configuring
    ? intervalsSchema.max(MAX_INTERVALS_PER_DAY, `At most ${MAX_INTERVALS_PER_DAY} intervals a day`).superRefine(noOverlaps)
    : intervalsSchema.superRefine(noOverlaps);
  return z
    .strictObject({
      timezone: configuring ? z.string().max(64, 'At most 64 characters').pipe(zoneSchema) : zoneSchema,
      hours: hoursSchemaOf(day),
      holidays: configuring
        ? z.array(holidaySchema.refine((date) => !date.startsWith('0000'), 'Holiday years run from 0001 to 9999')).max(MAX_HOLIDAYS, `At most ${MAX_HOLIDAYS} holidays; drop past years`)
        : z.array(holidaySchema),
    })
    .superRefine((calendar, ctx) => {
      const open = WEEKDAYS.some((d) => (calendar.hours[d]?.length ?? 0) > 0);
      if (!open) {
        ctx.addIssue({
          code: 'custom',
          path: ['hours'],
          message: 'At least one weekday needs a business-hours interval, or an SLA clock could never run',
        });
        return;
      }
      if (configuring) requireWeeklyMinimum(calendar, ctx);
    });
}

function requireWeeklyMinimum(calendar: BusinessCalendar, ctx: z.RefinementCtx): void {
  // Only once the intervals are well formed (refinements run after format issues too).
  const wellFormed = WEEKDAYS.every((d) => {
    const day: unknown = calendar.hours[d] ?? [];
    return Array.isArray(day) && day.every((i: unknown) => Array.isArray(i) && START_TIME.test(String(i[0])) && END_TIME.test(String(i[1])));
  });
  if (!wellFormed) return;
  // Intervals that close before they open are reported already; they add nothing here.
  const opening = (d: Weekday) => (calendar.hours[d] ?? []).filter(([s, e]) => toMinutes(e) > toMinutes(s));
  const weekly = WEEKDAYS.reduce((sum, d) => sum + openMinutes(mergeIntervals(opening(d))), 0);
  if (weekly < MIN_WEEKLY_MINUTES) {
    ctx.addIssue({
      code: 'custom',
      path: ['hours'],
      message: `Open ${weekly} minute(s) a week; at least ${MIN_WEEKLY_MINUTES} are needed for SLA deadlines to be computed (or count policies 24x7)`,
    });
  }
}

/** What a calendar being configured must satisfy (settings API, config file). */
export const businessCalendarSchema = calendarSchemaOf(true);
/** What a stored calendar must satisfy for the arithmetic to run. */
const storedCalendarSchema = calendarSchemaOf(false);

/** Validates untrusted input (API body, config file) into a calendar; throws `ValidationError`. */
export function parseBusinessCalendar(input: unknown): BusinessCalendar {
  const result = businessCalendarSchema.safeParse(input);
  if (!result.success) throw ValidationError.fromZod(result.error);
  // Pre-compile for the returned object, so callers that keep it pay validation only once.
  compiledCache.set(result.data, compileValid(result.data));
  return result.data;
}

function toMinutes(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

function isRealIsoDate(value: string): boolean {
  const m = ISO_DATE.exec(value);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Reports every interval that starts before an earlier-starting one has closed (input order irrelevant). */
function findOverlaps(intervals: ReadonlyArray<[string, string]>): Array<{ path: number[]; message: string }> {
  const valid = intervals
    .map(([s, e], index) => ({ s, e, index }))
    .filter(({ s, e }) => START_TIME.test(s) && END_TIME.test(e) && toMinutes(e) > toMinutes(s))
    .sort((a, b) => toMinutes(a.s) - toMinutes(b.s));
  const issues: Array<{ path: number[]; message: string }> = [];
  let widest: (typeof valid)[number] | undefined;
  for (const cur of valid) {
    if (widest && toMinutes(cur.s) < toMinutes(widest.e)) {
      issues.push({
        path: [cur.index],
        message: `Interval ${cur.s}-${cur.e} overlaps interval ${widest.s}-${widest.e} at index ${widest.index}; intervals of one day must not overlap`,
      });
    }
    if (!widest || toMinutes(cur.e) > toMinutes(widest.e)) widest = cur;
  }
  return issues;
}

// ---------------------------------------------------------------------------------------------
// Compiled form
// ---------------------------------------------------------------------------------------------

interface CompiledCalendar {
  offsets: ZoneOffsets;
  /** Per weekday (0 = Monday): sorted, merged `[startMin, endMin)` pairs, flattened. */
  week: ReadonlyArray<readonly number[]>;
  /** Business ms in any 7 consecutive plain days (no holiday, no offset change). */
  weekMs: number;
  /** Holidays as local epoch days (days since 1970-01-01 on the local calendar). */
  holidays: ReadonlySet<number>;
}

/**
 * Keyed by the caller's object so hot paths (SLA sweeps over many tickets sharing a calendar)
 * validate and parse once. Calendars are therefore treated as immutable once used.
 */
const compiledCache = new WeakMap<object, CompiledCalendar>();

function compile(calendar: BusinessCalendar): CompiledCalendar {
  const hit = compiledCache.get(calendar);
  if (hit) return hit;
  const result = storedCalendarSchema.safeParse(calendar);
  if (!result.success) throw ValidationError.fromZod(result.error);
  const compiled = compileValid(result.data);
  compiledCache.set(calendar, compiled);
  return compiled;
}

function compileValid(calendar: BusinessCalendar): CompiledCalendar {
  const week = WEEKDAYS.map((d) => mergeIntervals(calendar.hours[d] ?? []));
  const weekMinutes = week.reduce((sum, day) => sum + openMinutes(day), 0);
  return {
    offsets: zoneOffsets(calendar.timezone),
    week,
    weekMs: weekMinutes * MINUTE_MS,
    holidays: new Set(calendar.holidays.map(isoDateToEpochDay)),
  };
}

/** Adjacent intervals (12:00-13:00, 13:00-17:00) are merged so each day has fewer boundaries to convert. */
function mergeIntervals(intervals: ReadonlyArray<[string, string]>): number[] {
  const sorted = intervals.map(([s, e]) => [toMinutes(s), toMinutes(e)] as const).sort((a, b) => a[0] - b[0]);
  const flat: number[] = [];
  for (const [s, e] of sorted) {
    if (flat.length > 0 && flat[flat.length - 1] === s) flat[flat.length - 1] = e;
    else flat.push(s, e);
  }
  return flat;
}

/**
 * Business minutes the calendar is sure to provide within the computation horizon from any
 * start: whole plain weeks, less the longest day for each holiday and an allowance for
 * offset changes. A target above this may not be reachable, so it is refused where it is
 * configured instead of failing a ticket's create later.
 */
export function guaranteedBusinessMinutes(calendar: BusinessCalendar): number {
  const cal = compile(calendar);
  const longestDay = Math.max(...cal.week.map(openMinutes));
  const weeks = Math.floor(MAX_DAYS / 7) - 1; // the first, partial week may contribute nothing
  const minutes = (weeks * cal.weekMs) / MINUTE_MS - cal.holidays.size * longestDay - DST_ALLOWANCE_MINUTES;
  return Math.max(0, minutes);
}

function openMinutes(flat: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < flat.length; i += 2) sum += flat[i + 1]! - flat[i]!;
  return sum;
}

function isoDateToEpochDay(iso: string): number {
  const d = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not remap years 0-99 to 1900-1999.
  d.setUTCFullYear(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10)));
  return Math.round(d.getTime() / DAY_MS);
}

function weekdayIndex(epochDay: number): number {
  // 1970-01-01 (epoch day 0) was a Thursday, index 3.
  return (((epochDay + 3) % 7) + 7) % 7;
}

// ---------------------------------------------------------------------------------------------
// Zone offsets
// ---------------------------------------------------------------------------------------------

/** 364 days, so buckets hold whole sampling steps. */
const BUCKET_MS = 52 * WEEK_MS;
const SAMPLE_MS = DAY_MS;
/** Per zone; ~250 years of buckets is far more than any SLA needs, and bounds memory. */
const MAX_BUCKETS_PER_ZONE = 256;

interface OffsetBucket {
  /** Instants at which the offset changes, ascending. */
  transitions: number[];
  /** `offsets[i]` applies before `transitions[i]` (and from `transitions[i - 1]`); minutes east of UTC. */
  offsets: number[];
}

/**
 * A zone's UTC offsets, memoised as transition lists per 52-week bucket.
 *
 * Why: luxon's `IANAZone.offset` goes through `Intl.DateTimeFormat#formatToParts`, and
 * day-by-day arithmetic needs a few lookups per day. Here each bucket is sampled once a day
 * through luxon (once per process) and bisected to the ms where two samples differ; then a
 * lookup is a short array scan.
 *
 * Assumes a zone never changes its offset twice within 24 h. The closest pairs in tzdb since 1970
 * are about a week apart (e.g. America/Recife's one-week DST in October 2000).
 */
class ZoneOffsets {
  private readonly buckets = new BoundedCache<number, OffsetBucket>(MAX_BUCKETS_PER_ZONE);

  constructor(private readonly zone: IANAZone) {}

  /** Offset in minutes at `instant` (NaN outside the Date range). */
  at(instant: number): number {
    const key = Math.floor(instant / BUCKET_MS);
    const { transitions, offsets } = this.buckets.get(key) ?? this.load(key);
    let i = 0;
    while (i < transitions.length && instant >= transitions[i]!) i++;
    return offsets[i]!;
  }

  /** True when the offset does not change anywhere in `(lo, hi]`. */
  constantOver(lo: number, hi: number): boolean {
    for (let key = Math.floor(lo / BUCKET_MS); key <= Math.floor(hi / BUCKET_MS); key++) {
      const { transitions } = this.buckets.get(key) ?? this.load(key);
      for (const t of transitions) if (t > lo && t <= hi) return false;
    }
    return true;
  }

  private load(key: number): OffsetBucket {
    const start = key * BUCKET_MS;
    let prevAt = start;
    let prev = this.zone.offset(start);
    const bucket: OffsetBucket = { transitions: [], offsets: [prev] };
    for (let at = start + SAMPLE_MS; at <= start + BUCKET_MS; at += SAMPLE_MS) {
      const next = this.zone.offset(at);
      if (next !== prev && !(Number.isNaN(next) && Number.isNaN(prev))) {
        bucket.transitions.push(this.bisect(prevAt, at, prev));
        bucket.offsets.push(next);
      }
      prevAt = at;
      prev = next;
    }
    this.buckets.set(key, bucket);
    return bucket;
  }

  /** First instant in `(lo, hi]` whose offset is no longer `before`. */
  private bisect(lo: number, hi: number, before: number): number {
    while (hi - lo > 1) {
      const mid = lo + Math.floor((hi - lo) / 2);
      if (this.zone.offset(mid) === before) lo = mid;
      else hi = mid;
    }
    return hi;
  }
}

/** Shared by all calendars of a zone; keyed by canonical name so aliases and casing share one table. */
const offsetTables = new Map<string, ZoneOffsets>();

function zoneOffsets(timezone: string): ZoneOffsets {
  const canonical = new Intl.DateTimeFormat('en-US', { timeZone: timezone }).resolvedOptions().timeZone;
  let table = offsetTables.get(canonical);
  if (!table) {
    table = new ZoneOffsets(IANAZone.create(canonical));
    offsetTables.set(canonical, table);
  }
  return table;
}

// ---------------------------------------------------------------------------------------------
// Local wall time -> instant
// ---------------------------------------------------------------------------------------------

/**
 * Instant of a local wall time, given as "local epoch ms" (the wall time read as if it were UTC).
 *
 * Why not `DateTime.fromObject`: luxon resolves a repeated (fall-back) wall time using the
 * offset in force *today*, so results would change with the season the code runs in, and it
 * maps a wall time inside a spring-forward gap to gap-length later (02:30 -> 03:30) rather than
 * to the first instant after the gap. Here a repeated time takes its first occurrence and a
 * skipped time the first instant after the gap, deterministically. Assumes at most one offset
 * change within a day either side (see ZoneOffsets).
 */
function localToInstant(zone: ZoneOffsets, localMs: number): number {
  const early = zone.at(localMs - DAY_MS);
  const late = zone.at(localMs + DAY_MS);
  const a = localMs - early * MINUTE_MS;
  if (early === late) return a;
  const b = localMs - late * MINUTE_MS;
  const aValid = zone.at(a) === early;
  const bValid = zone.at(b) === late;
  if (aValid && bValid) return Math.min(a, b);
  if (aValid) return a;
  if (bValid) return b;
  return firstInstantAfterChange(zone, Math.min(a, b), Math.max(a, b));
}

/** Binary search for the transition in (lo, hi]; only used for wall times inside a DST gap. */
function firstInstantAfterChange(zone: ZoneOffsets, lo: number, hi: number): number {
  const before = zone.at(lo);
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (zone.at(mid) === before) lo = mid;
    else hi = mid;
  }
  return hi;
}

// ---------------------------------------------------------------------------------------------
// Days pinned to instants
// ---------------------------------------------------------------------------------------------

/** One local calendar day as the instants it covers, `[start, end)`. */
interface Day {
  epochDay: number;
  start: number;
  end: number;
  /** Offset (minutes) at `end`, so the next day needs no extra lookup. */
  endOffset: number;
  /** No offset change inside the day: local minute m is simply `start + m * 60000`. */
  uniform: boolean;
}

/**
 * Builds a day from its start instant. The common case is pure arithmetic: from a true local
 * midnight with no offset change in the next 24 h, the next midnight is exactly 24 h later.
 */
function makeDay(cal: CompiledCalendar, epochDay: number, start: number, startOffset: number): Day {
  const startsAtMidnight = start + startOffset * MINUTE_MS === epochDay * DAY_MS;
  const guess = start + DAY_MS;
  if (startsAtMidnight && cal.offsets.constantOver(start, guess)) {
    return { epochDay, start, end: guess, endOffset: startOffset, uniform: true };
  }
  const end = localToInstant(cal.offsets, (epochDay + 1) * DAY_MS);
  return { epochDay, start, end, endOffset: cal.offsets.at(end), uniform: false };
}

function dayContaining(cal: CompiledCalendar, instant: number): Day {
  const epochDay = Math.floor((instant + cal.offsets.at(instant) * MINUTE_MS) / DAY_MS);
  const start = localToInstant(cal.offsets, epochDay * DAY_MS);
  return makeDay(cal, epochDay, start, cal.offsets.at(start));
}

function nextDay(cal: CompiledCalendar, day: Day): Day {
  return makeDay(cal, day.epochDay + 1, day.end, day.endOffset);
}

/**
 * A week can be skipped wholesale when no offset change falls inside it and it has no holiday;
 * then it contains exactly `weekMs` business time whatever weekday it starts on.
 */
function isPlainWeek(cal: CompiledCalendar, day: Day): boolean {
  if (!day.uniform) return false;
  for (let i = 0; i < 7; i++) if (cal.holidays.has(day.epochDay + i)) return false;
  return cal.offsets.constantOver(day.start, day.start + WEEK_MS);
}

function weekAfter(cal: CompiledCalendar, day: Day): Day {
  return makeDay(cal, day.epochDay + 7, day.start + WEEK_MS, day.endOffset);
}

/** Instant of local minute-of-day `minute` (0..1440) on `day`. */
function boundary(cal: CompiledCalendar, day: Day, minute: number): number {
  if (day.uniform || minute === 0) return day.start + minute * MINUTE_MS;
  if (minute === MINUTES_PER_DAY) return day.end;
  return localToInstant(cal.offsets, day.epochDay * DAY_MS + minute * MINUTE_MS);
}

function intervalsOf(cal: CompiledCalendar, day: Day): readonly number[] {
  return cal.holidays.has(day.epochDay) ? [] : cal.week[weekdayIndex(day.epochDay)]!;
}

/** Business ms of `day` inside `[lo, hi)`. */
function businessMsWithin(cal: CompiledCalendar, day: Day, lo: number, hi: number): number {
  const flat = intervalsOf(cal, day);
  let total = 0;
  for (let i = 0; i < flat.length; i += 2) {
    const s = Math.max(boundary(cal, day, flat[i]!), lo);
    const e = Math.min(boundary(cal, day, flat[i + 1]!), hi);
    if (e > s) total += e - s;
  }
  return total;
}

/** Instant at which `ms` business ms after `lo` are used up; caller guarantees the day has enough. */
function locateWithin(cal: CompiledCalendar, day: Day, lo: number, ms: number): number {
  const flat = intervalsOf(cal, day);
  let remaining = ms;
  for (let i = 0; i < flat.length; i += 2) {
    const s = Math.max(boundary(cal, day, flat[i]!), lo);
    const available = boundary(cal, day, flat[i + 1]!) - s;
    if (available <= 0) continue;
    // `<=`: a deadline landing exactly on closing time stays at closing time.
    if (remaining <= available) return s + remaining;
    remaining -= available;
  }
  throw new Error('Business-hours arithmetic invariant broken: day had less time than measured');
}

function checkHorizon(daysCrossed: number): void {
  if (daysCrossed > MAX_DAYS) {
    throw new Error(`Business-hours computation exceeds the ${MAX_DAYS}-day (~100-year) horizon`);
  }
}

function instantOf(date: Date, name: string): number {
  const ms = date instanceof Date ? date.getTime() : NaN;
  if (!Number.isFinite(ms)) throw new RangeError(`${name} must be a valid Date`);
  return ms;
}

// ---------------------------------------------------------------------------------------------
// Public arithmetic
// ---------------------------------------------------------------------------------------------

/**
 * The instant at which `minutes` business minutes have elapsed after `start`.
 * A start outside business hours begins counting at the next opening; `0` returns `start`.
 */
export function addBusinessMinutes(start: Date, minutes: number, calendar: BusinessCalendar): Date {
  const from = instantOf(start, 'start');
  if (typeof minutes !== 'number' || !Number.isFinite(minutes) || minutes < 0) {
    throw new RangeError(`minutes must be a finite, non-negative number (got ${String(minutes)})`);
  }
  const cal = compile(calendar);
  if (minutes === 0) return new Date(from);

  let remaining = minutes * MINUTE_MS;
  let day = dayContaining(cal, from);
  for (let crossed = 0; ; checkHorizon(crossed)) {
    // Strictly greater: a target ending exactly at the week's last closing must be located, not skipped past.
    if (from <= day.start && remaining > cal.weekMs && isPlainWeek(cal, day)) {
      remaining -= cal.weekMs;
      day = weekAfter(cal, day);
      crossed += 7;
      continue;
    }
    const available = businessMsWithin(cal, day, from, Infinity);
    if (remaining <= available) return new Date(locateWithin(cal, day, from, remaining));
    remaining -= available;
    day = nextDay(cal, day);
    crossed += 1;
  }
}

/** Business minutes inside `[from, to)`; 0 when `to <= from`. Fractional when the instants are. */
export function businessMinutesBetween(from: Date, to: Date, calendar: BusinessCalendar): number {
  const lo = instantOf(from, 'from');
  const hi = instantOf(to, 'to');
  const cal = compile(calendar);
  if (hi <= lo) return 0;

  let total = 0;
  let day = dayContaining(cal, lo);
  for (let crossed = 0; day.start < hi; checkHorizon(crossed)) {
    if (day.start >= lo && day.start + WEEK_MS <= hi && isPlainWeek(cal, day)) {
      total += cal.weekMs;
      day = weekAfter(cal, day);
      crossed += 7;
      continue;
    }
    total += businessMsWithin(cal, day, lo, hi);
    day = nextDay(cal, day);
    crossed += 1;
  }
  return total / MINUTE_MS;
}

const NINE_TO_FIVE: Array<[string, string]> = [['09:00', '17:00']];

/** UTC, Monday-Friday 09:00-17:00, no holidays. Frozen because compiled forms are cached per object. */
export const DEFAULT_BUSINESS_CALENDAR: BusinessCalendar = deepFreeze({
  timezone: 'UTC',
  hours: { mon: NINE_TO_FIVE, tue: NINE_TO_FIVE, wed: NINE_TO_FIVE, thu: NINE_TO_FIVE, fri: NINE_TO_FIVE },
  holidays: [],
});

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
