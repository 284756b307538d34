import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ValidationError } from '../../src/domain/errors.js';
import {
  instantSchema,
  isStorableInstant,
  malformedText,
  MAX_INPUT_DEPTH,
  parseInput,
  textProblem,
} from '../../src/domain/input.js';

describe('textProblem', () => {
  it('accepts any well-formed text, astral characters included', () => {
    for (const value of ['', 'plain', 'émoji 🎫 ok', '\u{1F600}', 'tab\tand\nnewline', '\uffff']) expect(textProblem(value)).toBeUndefined();
  });

  it('refuses NUL and unpaired surrogates, wherever they sit', () => {
    for (const value of ['\u0000', 'a\u0000b']) expect(textProblem(value)).toMatch(/NUL/);
    for (const value of ['\ud800', 'x\ud800', '\udfff', 'a\udc00b', '\ud83d\ud83d', '\ude00\ud83d']) expect(textProblem(value)).toMatch(/surrogate/);
  });
});

describe('malformedText', () => {
  it('names every bad string and key by its path, in document order', () => {
    const issues = malformedText({ title: 'a\u0000', tags: ['ok', '\ud800'], nested: { 'k\u0000': 1, fine: 'yes' } });
    expect(issues.map((i) => i.path)).toEqual([['title'], ['tags', 1], ['nested', 'k\u0000']]);
    expect(issues[2]!.message).toMatch(/^Field name: must not contain NUL/);
  });

  it('puts a prefix before every path (a query parameter, a path id)', () => {
    expect(malformedText('\u0000', ['cursor']).map((i) => i.path)).toEqual([['cursor']]);
  });

  it('stops at the depth limit instead of walking on', () => {
    let deep: unknown = '\u0000';
    for (let i = 0; i < 10_000; i++) deep = [deep];
    const issues = malformedText(deep);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toHaveLength(MAX_INPUT_DEPTH);
    expect(issues[0]!.message).toMatch(/Nested deeper/);
  });

  it('reports at most 20 issues', () => {
    expect(malformedText(Array.from({ length: 500 }, () => '\u0000'))).toHaveLength(20);
  });
});

describe('parseInput', () => {
  const schema = z.strictObject({ title: z.string().max(5) });

  it('drops server fields, checks text, then the schema', () => {
    expect(parseInput(schema, { title: 'ok', id: '\u0000' }, ['id'])).toEqual({ title: 'ok' });
    const error = (() => {
      try {
        parseInput(schema, { title: 'a\u0000' });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => i.path)).toEqual([['title']]);
    expect(() => parseInput(schema, { title: 'too long' })).toThrow(ValidationError);
  });
});

describe('instants', () => {
  it('accepts years 0001-9999 in UTC, whatever the offset written', () => {
    for (const value of ['0001-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z', '2026-01-31T09:00:00+05:30', '0001-01-01T00:00:00-01:00']) {
      expect(instantSchema.safeParse(value).success, value).toBe(true);
    }
  });

  it('refuses instants outside them, which Postgres or JavaScript cannot hold', () => {
    for (const value of ['0000-01-01T00:00:00Z', '0001-01-01T00:00:00+01:00', '9999-12-31T23:59:59-01:00', '+010000-01-01T00:00:00Z', 'yesterday']) {
      expect(instantSchema.safeParse(value).success, value).toBe(false);
    }
    expect(isStorableInstant(Number.NaN)).toBe(false);
    expect(isStorableInstant(8.64e15)).toBe(false);
  });
});
