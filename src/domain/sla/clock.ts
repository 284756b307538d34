import { SLA_CLOCKS, type SlaClock, type SlaPause, type TicketStatus } from '../../db/schema/index.js';
import { addBusinessMinutes, businessMinutesBetween, type BusinessCalendar } from './calendar.js';

export interface SlaTargets {
  firstResponseMinutes: number;
  resolutionMinutes: number;
  businessHoursOnly: boolean;
  /** The optional next-response target (an extension); null or absent: no next-response clock. */
  nextResponseMinutes?: number | null | undefined;
}

export interface ClockState {
  createdAt: Date;
  /** Start of the current resolution cycle. */
  cycleStartedAt: Date;
  pauses: SlaPause[];
  /** When the requester's unanswered message was written; null or absent: nobody is waiting. */
  nextResponseStartedAt?: Date | null | undefined;
}

export interface Deadlines {
  firstResponseDueAt: Date | null;
  dueAt: Date | null;
  /** When each clock has used the warning share of its target ("at risk"). */
  firstResponseWarnAt: Date | null;
  resolutionWarnAt: Date | null;
  nextResponseDueAt: Date | null;
  nextResponseWarnAt: Date | null;
}

/** The warning share when the tenant has not chosen one. */
export const DEFAULT_SLA_WARNING_PERCENT = 75;

const NO_DEADLINES: Deadlines = {
  firstResponseDueAt: null,
  dueAt: null,
  firstResponseWarnAt: null,
  resolutionWarnAt: null,
  nextResponseDueAt: null,
  nextResponseWarnAt: null,
};

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
 *
 * The warning instants are the same computation with `warningPercent` of each target: the
 * moment the clock has used that share, measured the policy's way (business minutes when
 * the policy counts business hours only) and pushed back by the same pauses.
 *
 * The next-response clock starts at the requester's message and is pushed back by the part
 * of each finished pause after that start (pending pauses it like the resolution clock).
 */
export function computeDeadlines(
  state: ClockState,
  targets: SlaTargets | null,
  calendar: BusinessCalendar,
  warningPercent: number = DEFAULT_SLA_WARNING_PERCENT,
): Deadlines {
  if (!targets) return NO_DEADLINES;
  const clock = clockArithmetic(targets, calendar);
  const pausedMinutes = state.pauses.reduce(
    (sum, pause) => (pause.to ? sum + clock.between(new Date(pause.from), new Date(pause.to)) : sum),
    0,
  );
  const share = warningPercent / 100;
  const next = nextResponseInstants(state, targets, clock, share);
  return {
    firstResponseDueAt: clock.add(state.createdAt, targets.firstResponseMinutes),
    dueAt: clock.add(state.cycleStartedAt, targets.resolutionMinutes + pausedMinutes),
    firstResponseWarnAt: clock.add(state.createdAt, targets.firstResponseMinutes * share),
    resolutionWarnAt: clock.add(state.cycleStartedAt, targets.resolutionMinutes * share + pausedMinutes),
    nextResponseDueAt: next.dueAt,
    nextResponseWarnAt: next.warnAt,
  };
}

function nextResponseInstants(
  state: ClockState,
  targets: SlaTargets,
  clock: ReturnType<typeof clockArithmetic>,
  share: number,
): { dueAt: Date | null; warnAt: Date | null } {
  const start = state.nextResponseStartedAt;
  const target = targets.nextResponseMinutes;
  if (!start || !target) return { dueAt: null, warnAt: null };
  // Only the pausing after the message counts: time pending before it was nobody's wait.
  const pausedMinutes = state.pauses.reduce((sum, pause) => {
    if (!pause.to) return sum;
    const from = new Date(Math.max(new Date(pause.from).getTime(), start.getTime()));
    const to = new Date(pause.to);
    return to > from ? sum + clock.between(from, to) : sum;
  }, 0);
  return { dueAt: clock.add(start, target + pausedMinutes), warnAt: clock.add(start, target * share + pausedMinutes) };
}

export function openPause(pauses: SlaPause[], at: Date): SlaPause[] {
  if (pauses.some((p) => p.to === null)) return pauses;
  return [...pauses, { from: at.toISOString(), to: null }];
}

export function closePause(pauses: SlaPause[], at: Date): SlaPause[] {
  return pauses.map((p) => (p.to === null ? { from: p.from, to: at.toISOString() } : p));
}

/** The ticket fields that say whether a clock runs and when its alerts fall due. */
export interface ClockedTicket {
  status: TicketStatus;
  isDeleted: boolean;
  firstResponseAt: Date | null;
  firstResponseDueAt: Date | null;
  firstResponseWarnAt: Date | null;
  dueAt: Date | null;
  resolutionWarnAt: Date | null;
  nextResponseStartedAt?: Date | null | undefined;
  nextResponseDueAt?: Date | null | undefined;
  nextResponseWarnAt?: Date | null | undefined;
}

/**
 * Whether a clock runs (and can alert): the same rule as the sweep's partial indexes
 * (`RESOLUTION_CLOCK_RUNNING`, `FIRST_RESPONSE_CLOCK_RUNNING`, `NEXT_RESPONSE_CLOCK_RUNNING`).
 * Pending pauses the resolution and next-response clocks; deleted, resolved and closed
 * tickets never alert.
 */
export function isClockRunning(clock: SlaClock, ticket: ClockedTicket): boolean {
  if (ticket.isDeleted) return false;
  if (clock === 'resolution') return ticket.status === 'open' || ticket.status === 'in_progress';
  if (clock === 'next_response') return Boolean(ticket.nextResponseStartedAt) && (ticket.status === 'open' || ticket.status === 'in_progress');
  return ticket.firstResponseAt === null && (ticket.status === 'open' || ticket.status === 'in_progress' || ticket.status === 'pending');
}

type InstantField = 'firstResponseDueAt' | 'firstResponseWarnAt' | 'dueAt' | 'resolutionWarnAt' | 'nextResponseDueAt' | 'nextResponseWarnAt';
const CLOCK_INSTANTS: Record<SlaClock, InstantField[]> = {
  first_response: ['firstResponseWarnAt', 'firstResponseDueAt'],
  resolution: ['resolutionWarnAt', 'dueAt'],
  next_response: ['nextResponseWarnAt', 'nextResponseDueAt'],
};

/**
 * The earliest alert instant a write made due without the sweep having had the chance to
 * see it coming: an instant at or before `now` that the write moved (a priority change, a
 * pause that ended) or whose clock the write started (a reopen). Null when there is none.
 */
export function slaInstantNowDue(before: ClockedTicket | null, after: ClockedTicket, now: Date): Date | null {
  let earliest: Date | null = null;
  for (const clock of SLA_CLOCKS) {
    if (!isClockRunning(clock, after)) continue;
    const started = !before || !isClockRunning(clock, before);
    for (const field of CLOCK_INSTANTS[clock]) {
      const instant = after[field];
      if (!instant || instant.getTime() > now.getTime()) continue;
      const moved = before?.[field]?.getTime() !== instant.getTime();
      if ((started || moved) && (!earliest || instant < earliest)) earliest = instant;
    }
  }
  return earliest;
}
