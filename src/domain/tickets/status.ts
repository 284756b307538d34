import type { TicketStatus } from '../../db/schema/index.js';
import { InvalidTransitionError } from '../errors.js';

/**
 * The status machine. `resolved -> open|in_progress` is not here: leaving `resolved`
 * is a reopen, which starts a new SLA cycle. `closed` is final.
 */
const TRANSITIONS: Record<TicketStatus, readonly TicketStatus[]> = {
  open: ['in_progress', 'pending', 'resolved', 'closed'],
  in_progress: ['open', 'pending', 'resolved', 'closed'],
  pending: ['in_progress', 'resolved', 'closed'],
  resolved: ['closed'],
  closed: [],
};

export function canTransition(from: TicketStatus, to: TicketStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function assertTransition(from: TicketStatus, to: TicketStatus): void {
  if (canTransition(from, to)) return;
  if (from === 'closed') throw new InvalidTransitionError(from, to, 'A closed ticket is final and cannot change status');
  if (from === 'resolved' && (to === 'open' || to === 'in_progress' || to === 'pending')) {
    throw new InvalidTransitionError(from, to, 'A resolved ticket must be reopened before it can change status');
  }
  throw new InvalidTransitionError(from, to);
}

export function isClockRunning(status: TicketStatus): boolean {
  return status === 'open' || status === 'in_progress';
}
