import {
  ConflictError,
  DomainError,
  ForbiddenError,
  InsufficientScopeError,
  InvalidCursorError,
  InvalidTransitionError,
  NotFoundError,
  PreconditionFailedError,
  ValidationError,
  type FieldIssue,
} from '../domain/errors.js';
import { isDatabaseUnavailable } from '../db/errors.js';

/**
 * RFC 9457 problem details. Pure and framework-independent: the HTTP layer turns
 * whatever it caught into a `Problem` and writes it with `PROBLEM_CONTENT_TYPE`.
 */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
export const PROBLEM_BASE = 'https://helpdesk.dev/problems/';

export interface ProblemFieldError {
  /** Dotted path, e.g. `tags.1`; '' for the document root. */
  path: string;
  /** RFC 6901 JSON pointer, e.g. `/tags/1`; '' for the document root. */
  pointer: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  /** Stable snake_case code clients can switch on. */
  code: string;
  errors?: ProblemFieldError[];
  conflicting_id?: string;
  /** On `insufficient_scope`: the OAuth-style scope the integration token lacks. */
  required_scope?: string;
}

const INTERNAL_DETAIL = 'An unexpected error occurred. Please try again later.';

/** `validation_failed` -> `https://helpdesk.dev/problems/validation-failed`. */
export function problemType(code: string): string {
  return PROBLEM_BASE + code.replace(/_/g, '-');
}

/** RFC 6901: `~` becomes `~0` and `/` becomes `~1` (in that order). */
export function jsonPointer(path: ReadonlyArray<string | number>): string {
  return path.map((segment) => '/' + String(segment).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

export function fieldError(issue: FieldIssue): ProblemFieldError {
  return { path: issue.path.map(String).join('.'), pointer: jsonPointer(issue.path), message: issue.message };
}

/**
 * A problem the HTTP layer raises itself, e.g. `problem(400, 'malformed_json', 'Malformed JSON')`,
 * 401 unauthorized, 405 method_not_allowed, 413 payload_too_large, 415 unsupported_media_type,
 * 428 precondition_required, 429 too_many_requests.
 */
export function problem(status: number, code: string, title: string, detail?: string): Problem {
  const result: Problem = { type: problemType(code), title, status, code };
  if (detail !== undefined) result.detail = detail;
  return result;
}

function fromDomainError(error: DomainError): Problem {
  if (error instanceof ValidationError) {
    return { ...problem(422, error.code, 'Validation failed', error.message), errors: error.issues.map(fieldError) };
  }
  if (error instanceof InvalidCursorError) {
    return { ...problem(400, error.code, 'Invalid cursor', error.message), errors: error.issues.map(fieldError) };
  }
  if (error instanceof NotFoundError) return problem(404, error.code, 'Not found', error.message);
  if (error instanceof ConflictError) {
    const result = problem(409, error.code, 'Conflict', error.message);
    if (error.conflictingId !== undefined) result.conflicting_id = error.conflictingId;
    return result;
  }
  if (error instanceof InvalidTransitionError) return problem(409, error.code, 'Invalid transition', error.message);
  if (error instanceof InsufficientScopeError) {
    return { ...problem(403, error.code, 'Insufficient scope', error.message), required_scope: error.requiredScope };
  }
  if (error instanceof ForbiddenError) return problem(403, error.code, 'Forbidden', error.message);
  if (error instanceof PreconditionFailedError) return problem(412, error.code, 'Precondition failed', error.message);
  return internalError();
}

function internalError(): Problem {
  return problem(500, 'internal_error', 'Internal server error', INTERNAL_DETAIL);
}

/** How long a client is told to wait (`Retry-After`) when the database cannot be reached. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

export function databaseUnavailable(): Problem {
  return problem(503, 'database_unavailable', 'Database unavailable', 'The database cannot be reached right now; try again shortly');
}

/**
 * Maps a thrown value to a problem. Domain errors keep their (user-facing) message as
 * `detail`; a database outage is a 503 `database_unavailable` (the request may succeed
 * when retried); anything else becomes a generic 500 that never reveals the message or stack.
 */
export function problemFromError(error: unknown, instance?: string): Problem {
  const result =
    error instanceof DomainError ? fromDomainError(error) : isDatabaseUnavailable(error) ? databaseUnavailable() : internalError();
  if (instance !== undefined) result.instance = instance;
  return result;
}
