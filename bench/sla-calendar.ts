/**
 * Throughput of the SLA business-hours arithmetic. Run: `npx tsx bench/sla-calendar.ts`.
 * Prints calls/second per case; no assertions (timings vary by machine).
 */
import { performance } from 'node:perf_hooks';
import {
  addBusinessMinutes,
  businessMinutesBetween,
  parseBusinessCalendar,
  type BusinessCalendar,
} from '../src/domain/sla/calendar.js';

const WORKDAY: Array<[string, string]> = [
  ['09:00', '12:00'],
  ['13:00', '17:00'],
];

const NEW_YORK: BusinessCalendar = parseBusinessCalendar({
  timezone: 'America/New_York',
  hours: { mon: WORKDAY, tue: WORKDAY, wed: WORKDAY, thu: WORKDAY, fri: WORKDAY },
  holidays: [
    '2026-01-01', '2026-01-19', '2026-02-16', '2026-05-25', '2026-07-03',
    '2026-09-07', '2026-11-26', '2026-11-27', '2026-12-24', '2026-12-25',
  ],
});

const ALL_DAY: Array<[string, string]> = [['00:00', '24:00']];
const UTC_24X7: BusinessCalendar = parseBusinessCalendar({
  timezone: 'UTC',
  hours: { mon: ALL_DAY, tue: ALL_DAY, wed: ALL_DAY, thu: ALL_DAY, fri: ALL_DAY, sat: ALL_DAY, sun: ALL_DAY },
  holidays: [],
});

const WEEK_MS = 7 * 86_400_000;
const YEAR_MS = 365 * 86_400_000;

/** Starts spread over 2026 at odd minutes, so runs hit every weekday, hour and both DST changes. */
const STARTS: Date[] = Array.from({ length: 1024 }, (_, i) => new Date(Date.UTC(2026, 0, 1) + i * 8 * 3_600_000 + i * 7 * 60_000));

interface Case {
  name: string;
  run: (start: Date) => number;
}

function cases(label: string, calendar: BusinessCalendar): Case[] {
  return [
    { name: `${label}: addBusinessMinutes 60 min`, run: (s) => addBusinessMinutes(s, 60, calendar).getTime() },
    { name: `${label}: addBusinessMinutes 100,000 min`, run: (s) => addBusinessMinutes(s, 100_000, calendar).getTime() },
    { name: `${label}: businessMinutesBetween ~1 week`, run: (s) => businessMinutesBetween(s, new Date(s.getTime() + WEEK_MS), calendar) },
    { name: `${label}: businessMinutesBetween ~1 year`, run: (s) => businessMinutesBetween(s, new Date(s.getTime() + YEAR_MS), calendar) },
  ];
}

/** Accumulates results so the work cannot be optimised away. */
let sink = 0;

function measure(c: Case, durationMs: number): { calls: number; elapsedMs: number } {
  let calls = 0;
  const begin = performance.now();
  let now = begin;
  while (now - begin < durationMs) {
    // Check the clock only every 16 calls: reading it costs about as much as a cheap case.
    for (let i = 0; i < 16; i++) sink += c.run(STARTS[calls++ & 1023]!);
    now = performance.now();
  }
  return { calls, elapsedMs: now - begin };
}

const all = [...cases('New York 9-17, lunch, 10 holidays', NEW_YORK), ...cases('UTC 24x7 baseline', UTC_24X7)];

for (const c of all) measure(c, 200); // warm-up: JIT, Intl formatter and compiled-calendar caches

const rows = all.map((c) => {
  const { calls, elapsedMs } = measure(c, 1000);
  const perSecond = (calls / elapsedMs) * 1000;
  return { case: c.name, 'calls/s': Math.round(perSecond).toLocaleString('en-US'), 'µs/call': (1000 / perSecond * 1000).toFixed(2) };
});

const width = Math.max(...rows.map((r) => r.case.length));
console.log(`${'case'.padEnd(width)}  ${'calls/s'.padStart(12)}  ${'µs/call'.padStart(10)}`);
console.log(`${'-'.repeat(width)}  ${'-'.repeat(12)}  ${'-'.repeat(10)}`);
for (const r of rows) console.log(`${r.case.padEnd(width)}  ${r['calls/s'].padStart(12)}  ${r['µs/call'].padStart(10)}`);
if (Number.isNaN(sink)) console.log('(unreachable: keeps results alive)');
