import type { FetchResponse, Problem } from './types.js';

/** Thrown for every non-2xx answer; `problem` is the RFC 9457 body (or a synthesized one). */
export class HelpdeskApiError extends Error {
  override readonly name = 'HelpdeskApiError';
  /** The HTTP status. */
  readonly status: number;
  readonly problem: Problem;

  constructor(status: number, problem: Problem) {
    super(problem.detail ? `${problem.title}: ${problem.detail}` : problem.title);
    this.status = status;
    this.problem = problem;
  }
}

function isProblem(value: unknown): value is Problem {
  return typeof value === 'object' && value !== null && typeof (value as Problem).code === 'string';
}

/** Builds the error from a failed response, tolerating bodies that are not problem+json. */
export async function errorFromResponse(response: FetchResponse): Promise<HelpdeskApiError> {
  const text = await response.text().catch(() => '');
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (isProblem(body)) return new HelpdeskApiError(response.status, { ...body, status: body.status ?? response.status });
  const title = response.statusText || `HTTP ${response.status}`;
  const problem: Problem = {
    type: 'about:blank',
    title,
    status: response.status,
    code: 'http_error',
    ...(text ? { detail: text.slice(0, 500) } : {}),
  };
  return new HelpdeskApiError(response.status, problem);
}
