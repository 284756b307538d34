import type { SlaPause } from '../../db/schema/index.js';
import { addBusinessMinutes, businessMinutesBetween, type BusinessCalendar } from './calendar.js';

export interface SlaTargets {
  firstResponseMinutes: number;
  resolutionMinutes: number;
  businessHoursOnly: boolean;
}

export interface ClockState {
  createdAt: Date;
  /** Start of the current resolution cycle. */
  cycleStartedAt: Date;
  pauses: SlaPause[];
}

export interface Deadlines {
  firstResponseDueAt: Date | null;
  dueAt: Date | null;
}

const MINUTE_MS = 60_000;

/** Adds and measures minutes the way a policy counts them: business time or absolute time. */
export function clockArithmetic(targets: Pick<SlaTargets, 'businessHoursOnly'>, calendar: BusinessCalendar) {
  if (targets.businessHoursOnly) {
    return {
      add: (start: Date, minutes: number) => addBusinessMinutes(start, minutes, calendar),
      between: (from: Date, to: Date) => businessMinutesBetween(from, to, calendar),
    };
  }
  return {
    add: (start: Date, minutes: number) => new Date(start.getTime() + minutes * MINUTE_MS),
    between: (from: Date, to: Date) => Math.max(0, (to.getTime() - from.getTime()) / MINUTE_MS),
  };
}

/**
 * Deadlines always recomputed from the original start, so a policy change or a pause
 * never compounds rounding. Only finished pauses extend the resolution deadline; while a
 * pause lasts the clock is stopped (status `pending`) and the deadline is settled when it ends.
 */
export function computeDeadlines(state: ClockState, targets: SlaTargets | null, calendar: BusinessCalendar): Deadlines {
  if (!targets) return { firstResponseDueAt: null, dueAt: null };
  const clock = clockArithmetic(targets, calendar);
  const pausedMinutes = state.pauses.reduce(
    (sum, pause) => (pause.to ? sum + clock.between(new Date(pause.from), new Date(pause.to)) : sum),
    0,
  );
  return {
    firstResponseDueAt: clock.add(state.createdAt, targets.firstResponseMinutes),
    dueAt: clock.add(state.cycleStartedAt, targets.resolutionMinutes + pausedMinutes),
  };
}

export function openPause(pauses: SlaPause[], at: Date): SlaPause[] {
  if (pauses.some((p) => p.to === null)) return pauses;
  return [...pauses, { from: at.toISOString(), to: null }];
}

export function closePause(pauses: SlaPause[], at: Date): SlaPause[] {
  return pauses.map((p) => (p.to === null ? { from: p.from, to: at.toISOString() } : p));
}
