import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ConflictError,
  ForbiddenError,
  InvalidCursorError,
  InvalidTransitionError,
  NotFoundError,
  PreconditionFailedError,
  ValidationError,
} from '../../src/domain/errors.js';
import {
  PROBLEM_BASE,
  PROBLEM_CONTENT_TYPE,
  jsonPointer,
  problem,
  problemFromError,
  type Problem,
} from '../../src/http/problem.js';

function roundTrip(p: Problem): unknown {
  return JSON.parse(JSON.stringify(p));
}

describe('constants', () => {
  it('uses the problem+json media type and a stable base URI', () => {
    expect(PROBLEM_CONTENT_TYPE).toBe('application/problem+json');
    expect(PROBLEM_BASE).toBe('https://helpdesk.dev/problems/');
  });
});

describe('problemFromError: domain errors', () => {
  it('maps ValidationError to 422 with field errors and JSON pointers', () => {
    const error = new ValidationError([
      { path: ['tags', 1], message: 'Too long' },
      { path: [], message: 'Body must be an object' },
    ]);
    expect(problemFromError(error, '/api/v1/tickets')).toStrictEqual({
      type: 'https://helpdesk.dev/problems/validation-failed',
      title: 'Validation failed',
      status: 422,
      code: 'validation_failed',
      detail: error.message,
      instance: '/api/v1/tickets',
      errors: [
        { path: 'tags.1', pointer: '/tags/1', message: 'Too long' },
        { path: '', pointer: '', message: 'Body must be an object' },
      ],
    });
  });

  it('maps a ValidationError built from zod, unknown keys included', () => {
    const schema = z.strictObject({ hours: z.object({ mon: z.array(z.string()) }) });
    const parsed = schema.safeParse({ hours: { mon: ['09:00', 5] }, extra: true });
    expect(parsed.success).toBe(false);
    const p = problemFromError(ValidationError.fromZod(parsed.error!, ['body']));
    expect(p.status).toBe(422);
    expect(p.errors?.map((e) => [e.path, e.pointer])).toEqual(
      expect.arrayContaining([
        ['body.hours.mon.1', '/body/hours/mon/1'],
        ['body.extra', '/body/extra'],
      ]),
    );
  });

  it('maps NotFoundError to 404 and keeps the message as detail', () => {
    expect(problemFromError(new NotFoundError('Ticket', 'T-42'))).toStrictEqual({
      type: 'https://helpdesk.dev/problems/not-found',
      title: 'Not found',
      status: 404,
      code: 'not_found',
      detail: 'Ticket T-42 was not found',
    });
  });

  it('maps ConflictError to 409 with conflicting_id when set', () => {
    expect(problemFromError(new ConflictError('A team named Support already exists', 'team_01'))).toStrictEqual({
      type: 'https://helpdesk.dev/problems/conflict',
      title: 'Conflict',
      status: 409,
      code: 'conflict',
      detail: 'A team named Support already exists',
      conflicting_id: 'team_01',
    });
  });

  it('omits conflicting_id when the ConflictError has none', () => {
    const p = problemFromError(new ConflictError('Already exists'));
    expect(p.status).toBe(409);
    expect('conflicting_id' in p).toBe(false);
  });

  it('maps InvalidTransitionError to 409 invalid_transition', () => {
    expect(problemFromError(new InvalidTransitionError('closed', 'pending'))).toStrictEqual({
      type: 'https://helpdesk.dev/problems/invalid-transition',
      title: 'Invalid transition',
      status: 409,
      code: 'invalid_transition',
      detail: 'A ticket cannot move from closed to pending',
    });
  });

  it('maps ForbiddenError to 403', () => {
    expect(problemFromError(new ForbiddenError('Only agents can assign tickets'))).toStrictEqual({
      type: 'https://helpdesk.dev/problems/forbidden',
      title: 'Forbidden',
      status: 403,
      code: 'forbidden',
      detail: 'Only agents can assign tickets',
    });
  });

  it('maps InvalidCursorError to 400 invalid_cursor naming the cursor', () => {
    expect(problemFromError(new InvalidCursorError())).toMatchObject({
      type: 'https://helpdesk.dev/problems/invalid-cursor',
      status: 400,
      code: 'invalid_cursor',
      errors: [{ path: 'cursor', pointer: '/cursor', message: expect.stringContaining('start again without one') }],
    });
  });

  it('maps PreconditionFailedError to 412', () => {
    expect(problemFromError(new PreconditionFailedError('The ticket changed since you read it'))).toStrictEqual({
      type: 'https://helpdesk.dev/problems/precondition-failed',
      title: 'Precondition failed',
      status: 412,
      code: 'precondition_failed',
      detail: 'The ticket changed since you read it',
    });
  });

  it('sets instance only when given', () => {
    expect('instance' in problemFromError(new ForbiddenError('no'))).toBe(false);
    expect(problemFromError(new ForbiddenError('no'), '/api/v1/teams/1').instance).toBe('/api/v1/teams/1');
  });
});

describe('problemFromError: unknown errors', () => {
  it.each([
    ['an Error', new Error('db failed: password=hunter2')],
    ['a TypeError', new TypeError('password=hunter2 is not a function')],
    ['a thrown string', 'password=hunter2'],
    ['a plain object', { message: 'password=hunter2', code: 'not_found', status: 404 }],
    ['undefined', undefined],
    ['null', null],
  ])('maps %s to a generic 500 that leaks nothing', (_label, thrown) => {
    const p = problemFromError(thrown, '/api/v1/tickets');
    expect(p).toStrictEqual({
      type: 'https://helpdesk.dev/problems/internal-error',
      title: 'Internal server error',
      status: 500,
      code: 'internal_error',
      detail: expect.any(String),
      instance: '/api/v1/tickets',
    });
    const json = JSON.stringify(p);
    expect(json).not.toContain('hunter2');
    expect(json).not.toContain('password');
    expect(json).not.toMatch(/\bat .*:\d+:\d+/);
  });
});

describe('problem: edge errors raised by the HTTP layer', () => {
  it.each([
    [400, 'malformed_json', 'Malformed JSON', 'malformed-json'],
    [401, 'unauthorized', 'Unauthorized', 'unauthorized'],
    [405, 'method_not_allowed', 'Method not allowed', 'method-not-allowed'],
    [413, 'payload_too_large', 'Payload too large', 'payload-too-large'],
    [415, 'unsupported_media_type', 'Unsupported media type', 'unsupported-media-type'],
    [428, 'precondition_required', 'Precondition required', 'precondition-required'],
    [429, 'too_many_requests', 'Too many requests', 'too-many-requests'],
  ])('builds %i %s', (status, code, title, slug) => {
    expect(problem(status, code, title)).toStrictEqual({ type: PROBLEM_BASE + slug, title, status, code });
  });

  it('includes detail only when given', () => {
    expect(problem(415, 'unsupported_media_type', 'Unsupported media type', 'Send application/json')).toStrictEqual({
      type: 'https://helpdesk.dev/problems/unsupported-media-type',
      title: 'Unsupported media type',
      status: 415,
      code: 'unsupported_media_type',
      detail: 'Send application/json',
    });
  });
});

describe('jsonPointer', () => {
  it.each<[Array<string | number>, string]>([
    [[], ''],
    [['a/b'], '/a~1b'],
    [['m~n'], '/m~0n'],
    [['~/'], '/~0~1'],
    [['~1'], '/~01'],
    [['tags', 1], '/tags/1'],
    [['hours', 'mon', 0, 'start'], '/hours/mon/0/start'],
    [[''], '/'],
  ])('%j -> %s', (path, pointer) => {
    expect(jsonPointer(path)).toBe(pointer);
  });

  it('escapes the pointer but not the dotted path in field errors', () => {
    const p = problemFromError(new ValidationError([{ path: ['a/b', 'm~n', 0], message: 'Bad' }]));
    expect(p.errors).toStrictEqual([{ path: 'a/b.m~n.0', pointer: '/a~1b/m~0n/0', message: 'Bad' }]);
  });
});

describe('JSON serialisation', () => {
  it.each<[string, Problem]>([
    ['validation', problemFromError(new ValidationError([{ path: ['x', 0], message: 'Required' }]), '/r')],
    ['not found', problemFromError(new NotFoundError('Team', 't1'))],
    ['conflict', problemFromError(new ConflictError('dup', 'id_1'))],
    ['conflict without id', problemFromError(new ConflictError('dup'))],
    ['invalid transition', problemFromError(new InvalidTransitionError('open', 'open'))],
    ['forbidden', problemFromError(new ForbiddenError('no'))],
    ['precondition failed', problemFromError(new PreconditionFailedError('stale'))],
    ['internal', problemFromError(new Error('boom'), '/r')],
    ['edge', problem(429, 'too_many_requests', 'Too many requests', 'Slow down')],
  ])('%s round-trips through JSON unchanged', (_label, p) => {
    expect(roundTrip(p)).toStrictEqual(p);
    expect(Object.getPrototypeOf(p)).toBe(Object.prototype);
  });
});
