/** The PostgreSQL error inside whatever wrapped it (drizzle's DrizzleQueryError, a driver error). */
export interface PgErrorInfo {
  code: string;
  constraint: string | undefined;
  detail: string | undefined;
}

export function pgErrorOf(error: unknown): PgErrorInfo | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth += 1) {
    const candidate = current as { code?: unknown; constraint?: unknown; constraint_name?: unknown; detail?: unknown; cause?: unknown };
    if (typeof candidate.code === 'string' && /^[0-9A-Z]{5}$/.test(candidate.code)) {
      const constraint = candidate.constraint_name ?? candidate.constraint;
      return {
        code: candidate.code,
        constraint: typeof constraint === 'string' ? constraint : undefined,
        detail: typeof candidate.detail === 'string' ? candidate.detail : undefined,
      };
    }
    current = candidate.cause;
  }
  return undefined;
}

export const PG_UNIQUE_VIOLATION = '23505';
export const PG_FOREIGN_KEY_VIOLATION = '23503';
export const PG_CHECK_VIOLATION = '23514';

/**
 * postgres.js's own codes for a connection that failed, timed out or went away
 * (CONNECTION_DESTROYED: closed under a query, as at shutdown).
 */
const DRIVER_CONNECTION_CODES = new Set(['CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED']);
/** Socket errors: the server or the network is not there. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'EAI_AGAIN']);
/**
 * SQLSTATEs that say "try again later", not "your request is wrong": shutdown (57P01, 57P02),
 * start-up (57P03), no free connection slot (53300), and 57014, which is the statement timeout
 * (the app never cancels a query itself): a query stuck past it is an overloaded or locked
 * database, which the caller should retry like an outage rather than see as a bug.
 */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '57014']);

/**
 * True when `error` (at any depth of `cause`) says the database cannot answer right now,
 * as opposed to refusing this statement: the HTTP layer answers 503 with Retry-After,
 * Slack tells the person to try again, the SLA jobs skip the run.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current && typeof current === 'object' && depth < 5; depth += 1) {
    const candidate = current as { code?: unknown; syscall?: unknown; cause?: unknown; message?: unknown };
    // The embedded database after it was closed (shutting down): PGlite says so in words only.
    if (candidate.message === 'PGlite is closed') return true;
    const code = typeof candidate.code === 'string' ? candidate.code : undefined;
    if (code) {
      if (DRIVER_CONNECTION_CODES.has(code) || SOCKET_CODES.has(code)) return true;
      // A Unix-domain socket's file is gone while its server is stopped.
      if (code === 'ENOENT' && candidate.syscall === 'connect') return true;
      // Class 08: connection exception.
      if (/^[0-9A-Z]{5}$/.test(code)) return code.startsWith('08') || UNAVAILABLE_SQLSTATES.has(code);
    }
    current = candidate.cause;
  }
  return false;
}

/** The innermost `cause`: for a log line, the driver's "connect ECONNREFUSED …" rather than drizzle's "Failed query: …". */
export function rootCause(error: unknown): unknown {
  let current = error;
  for (let depth = 0; depth < 5 && current instanceof Error && current.cause !== undefined; depth += 1) current = current.cause;
  return current;
}
