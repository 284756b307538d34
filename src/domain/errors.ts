import type { ZodError } from 'zod';

/**
 * Typed domain errors. Each carries a literal `code`; the edges (HTTP problem+json,
 * Slack modal errors and ephemerals) turn them into user-facing text.
 */
export type DomainErrorCode =
  | 'validation_failed'
  | 'not_found'
  | 'conflict'
  | 'invalid_transition'
  | 'forbidden'
  | 'insufficient_scope'
  | 'precondition_failed'
  | 'invalid_cursor';

export interface FieldIssue {
  /** Path of the failing field, e.g. `["hours", "mon", 0]`. */
  path: Array<string | number>;
  message: string;
}

export abstract class DomainError extends Error {
  abstract readonly code: DomainErrorCode;
}

export class ValidationError extends DomainError {
  readonly code = 'validation_failed' as const;
  constructor(
    readonly issues: FieldIssue[],
    message = issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`).join('; '),
  ) {
    super(message);
    this.name = 'ValidationError';
  }

  static fromZod(error: ZodError, prefix: Array<string | number> = []): ValidationError {
    return new ValidationError(
      error.issues.flatMap((issue) => {
        const path = [...prefix, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
        // zod reports unknown keys once, at the object; each key is its own field error here.
        if (issue.code === 'unrecognized_keys') {
          const message = issue.message.startsWith('Unrecognized key') ? 'Unknown field' : issue.message;
          return issue.keys.map((key) => ({ path: [...path, key], message }));
        }
        return [{ path, message: issue.message }];
      }),
    );
  }
}

/**
 * A list cursor the server did not issue (tampered, forged, or from another sort order).
 * Not a field the client chose, so a bad request rather than a validation failure.
 */
export class InvalidCursorError extends DomainError {
  readonly code = 'invalid_cursor' as const;
  readonly issues: FieldIssue[] = [{ path: ['cursor'], message: 'Not a cursor this server issued for this sort order; start again without one' }];
  constructor() {
    super('The cursor was not issued by this server for this sort order');
    this.name = 'InvalidCursorError';
  }
}

export class NotFoundError extends DomainError {
  readonly code = 'not_found' as const;
  constructor(
    readonly entity: string,
    readonly key: string,
  ) {
    super(`${entity} ${key} was not found`);
    this.name = 'NotFoundError';
  }
}

export class ConflictError extends DomainError {
  readonly code = 'conflict' as const;
  constructor(
    message: string,
    /** The record standing in the way, when there is one. */
    readonly conflictingId?: string,
  ) {
    super(message);
    this.name = 'ConflictError';
  }
}

export class InvalidTransitionError extends DomainError {
  readonly code = 'invalid_transition' as const;
  constructor(
    readonly from: string,
    readonly to: string,
    message = `A ticket cannot move from ${from} to ${to}`,
  ) {
    super(message);
    this.name = 'InvalidTransitionError';
  }
}

export class ForbiddenError extends DomainError {
  readonly code = 'forbidden' as const;
  constructor(message: string) {
    super(message);
    this.name = 'ForbiddenError';
  }
}

/**
 * An integration token was used outside its OAuth-style scopes: the call needs `requiredScope`
 * (e.g. `helpdesk:write`), which the token does not carry.
 */
export class InsufficientScopeError extends DomainError {
  readonly code = 'insufficient_scope' as const;
  constructor(readonly requiredScope: string) {
    super(`This integration token lacks the "${requiredScope}" scope this call needs; mint one whose "scope" claim includes it`);
    this.name = 'InsufficientScopeError';
  }
}

export class PreconditionFailedError extends DomainError {
  readonly code = 'precondition_failed' as const;
  constructor(message: string) {
    super(message);
    this.name = 'PreconditionFailedError';
  }
}
