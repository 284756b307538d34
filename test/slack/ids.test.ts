import { describe, expect, it } from 'vitest';
import { ACTION, assignBlockId, parseAssignBlockId, ticketActionIds } from '../../src/slack/ids.js';
import { block } from '../support/block-fixtures.js';

describe('Slack ids', () => {
  it('lists every action id once', () => {
    const ids = ticketActionIds();
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(Object.values(ACTION).sort());
    expect(ids).toContain('alert_ack');
  });

  it('round-trips assign block ids and rejects others', () => {
    const ticketId = 'tkt_01JNQ5ZKX8Y3V2M4T6R9P0A1BC';
    expect(assignBlockId(ticketId)).toBe(`assign:${ticketId}`);
    expect(parseAssignBlockId(assignBlockId(ticketId))).toBe(ticketId);
    expect(parseAssignBlockId('assign:')).toBeUndefined();
    expect(parseAssignBlockId('title')).toBeUndefined();
    expect(parseAssignBlockId(undefined)).toBeUndefined();
  });
});
