import { describe, expect, it } from 'vitest';
import { ACTION, ADMIN_SLA_ACTION, ADMIN_SLA_CALLBACK, assignBlockId, CALLBACK, parseAssignBlockId, ticketActionIds } from '../../src/slack/ids.js';
import { block } from '../support/block-fixtures.js';

describe('Slack ids', () => {
  it('lists every action id once', () => {
    const ids = ticketActionIds();
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(Object.values(ACTION).sort());
    expect(ids).toContain('alert_ack');
  });

  it('gives the admin SLA buttons and forms ids of their own', () => {
    const actions = [...Object.values(ACTION), ...Object.values(ADMIN_SLA_ACTION)];
    const callbacks = [...Object.values(CALLBACK), ...Object.values(ADMIN_SLA_CALLBACK)];
    expect(new Set(actions).size).toBe(actions.length);
    expect(new Set(callbacks).size).toBe(callbacks.length);
    expect([...actions, ...callbacks].every((id) => id.length <= 255)).toBe(true);
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
