import type { Scope } from '../../src/domain/scope.js';

export function scopeFor(tenantId: string, actorId: string | null, now: Date | string, extra: Partial<Scope> = {}): Scope {
  return { tenantId, actorId, now: typeof now === 'string' ? new Date(now) : now, ...extra };
}

/** A clock that moves forward only when told, for stepping through a ticket's life. */
export function steppingClock(start: string) {
  let current = new Date(start);
  return {
    now: () => current,
    advance(minutes: number) {
      current = new Date(current.getTime() + minutes * 60_000);
      return current;
    },
    set(at: string) {
      current = new Date(at);
      return current;
    },
  };
}
