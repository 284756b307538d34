import { describe, expect, it } from 'vitest';
import { SLA_DIGEST_MAX } from '../../../src/domain/sla/delivery.js';
import { SLA_DIGEST_TEXT_BUDGET, slaAcknowledgedLine, slaAlertMessage, type SlaAlertView, slaDigestMessage } from '../../../src/slack/blocks/alerts.js';
import { formatDuration } from '../../../src/slack/blocks/text.js';
import { ACTION } from '../../../src/slack/ids.js';
import { allText, block, buttons, expectWithinMessageLimits, FIRST_DUE, type Json, mrkdwnTexts, ofType } from '../../support/block-fixtures.js';

describe('SLA alerts', () => {
  const alert = (overrides: Partial<SlaAlertView> = {}): SlaAlertView => ({
    alertId: 'alr_01JNQ5ZKX8Y3V2M4T6R9P0A1BC',
    kind: 'breach',
    clock: 'first_response',
    sequence: 0,
    escalationMax: 3,
    ticket: { id: 'tkt_1', number: 'TKT-0042', title: 'Printer <on> fire', assignedToId: null },
    assigneeSlackId: null,
    minutes: 135,
    businessTime: false,
    deadlineAt: FIRST_DUE,
    escalationContactSlackIds: [],
    cardPermalink: 'https://acme.slack.com/archives/C1/p1',
    ...overrides,
  });

  it('formats durations in minutes, hours and (absolute) days', () => {
    expect(formatDuration(0.4)).toBe('less than a minute');
    expect(formatDuration(45.9)).toBe('45m');
    expect(formatDuration(60)).toBe('1h');
    expect(formatDuration(135)).toBe('2h 15m');
    expect(formatDuration(2 * 1440 + 200)).toBe('2d 3h');
    expect(formatDuration(2 * 1440, true)).toBe('48h');
  });

  it('says in its notification text which ticket, which target, breached or at risk, and how late', () => {
    // The notification text is mrkdwn too: the title is escaped there as in the blocks.
    expect(slaAlertMessage(alert()).text).toBe('TKT-0042 first response breached: 2h 15m late — Printer &lt;on&gt; fire');
    expect(slaAlertMessage(alert({ clock: 'resolution', kind: 'warning', minutes: 45 })).text).toBe(
      'TKT-0042 resolution at risk: 45m left — Printer &lt;on&gt; fire',
    );
    expect(slaAlertMessage(alert({ businessTime: true })).text).toContain('2h 15m late (business hours)');
    expect(slaAlertMessage(alert({ clock: 'next_response', kind: 'warning', minutes: 5 })).text).toBe(
      'TKT-0042 next response at risk: 5m left — Printer &lt;on&gt; fire',
    );
    expect(allText(slaAlertMessage(alert({ clock: 'next_response' })))).toContain('Next response');
    expect(slaAlertMessage(alert({ kind: 'escalation', sequence: 2 })).text).toMatch(/^Escalation 2 of 3: TKT-0042 first response breached/);
  });

  it('offers Claim while unassigned, Acknowledge with the alert id, and the link to the card', () => {
    const message = slaAlertMessage(alert());
    expect(buttons(message.blocks).map((b) => [(b.text as Json).text, b.action_id, b.value])).toEqual([
      ['Claim', ACTION.alertClaim, 'tkt_1'],
      ['Acknowledge', ACTION.alertAck, 'alr_01JNQ5ZKX8Y3V2M4T6R9P0A1BC'],
      ['View ticket', ACTION.openLink, 'tkt_1'],
    ]);
    expect(allText(message)).toContain('_unassigned_');
    const assigned = slaAlertMessage(alert({ ticket: { ...alert().ticket, assignedToId: 'per_1' }, assigneeSlackId: 'U0AGENT', cardPermalink: undefined }));
    expect(buttons(assigned.blocks).map((b) => (b.text as Json).text)).toEqual(['Acknowledge']);
    expect(allText(assigned)).toContain('<@U0AGENT>');
    expect(allText(message)).toContain('Printer &lt;on&gt; fire');
    expectWithinMessageLimits(message);
  });

  it('mentions the escalation contacts on escalations only', () => {
    const contacts = { escalationContactSlackIds: ['U0ONCALL', 'U0BOSS'] };
    expect(allText(slaAlertMessage(alert({ kind: 'escalation', sequence: 1, ...contacts })))).toContain('cc <@U0ONCALL> <@U0BOSS>');
    expect(allText(slaAlertMessage(alert(contacts)))).not.toContain('cc ');
  });

  it('lists several alerts in one digest, each with its Acknowledge, within the block limit', () => {
    const many = Array.from({ length: SLA_DIGEST_MAX }, (_, i) =>
      alert({ alertId: `alr_${i}`, kind: i % 3 === 0 ? 'warning' : 'breach', ticket: { ...alert().ticket, number: `TKT-${1000 + i}` } }),
    );
    const digest = slaDigestMessage(many);
    expectWithinMessageLimits(digest);
    expect(digest.text).toMatch(/^20 SLA alerts: TKT-1000 first response at risk, TKT-1001 first response breached, .*, and 10 more$/);
    expect(buttons(digest.blocks).map((b) => b.value)).toEqual(many.map((a) => a.alertId));
    expect(() => slaDigestMessage([])).toThrow(RangeError);
    expect(() => slaDigestMessage(Array.from({ length: SLA_DIGEST_MAX + 1 }, () => alert()))).toThrow(RangeError);
  });

  it('keeps a full digest of the longest alerts well under the block text Slack refuses', () => {
    // Longest everything: a 200-character title of ampersands (1000 once escaped), the
    // escalation label, a long permalink and fifty escalation contacts.
    const longest = Array.from({ length: SLA_DIGEST_MAX }, (_, i) =>
      alert({
        alertId: `alr_${i}`,
        kind: 'escalation',
        sequence: 99,
        businessTime: true,
        minutes: 99_999,
        ticket: { ...alert().ticket, number: `TKT-${100000 + i}`, title: '&'.repeat(200) },
        cardPermalink: `https://a-very-long-workspace-name.enterprise.slack.com/archives/C0123ABCDEF/p1741078800000100?thread_ts=1741078800.000100&cid=C0123ABCDEF`,
        escalationContactSlackIds: Array.from({ length: 50 }, (_, j) => `U0CONTACT${j}`),
      }),
    );
    const digest = slaDigestMessage(longest);
    const blockText = mrkdwnTexts(digest.blocks).join('').length + ofType(digest.blocks, 'plain_text').map((t) => (t.text as string).length).reduce((a, b) => a + b, 0);
    expect(blockText).toBeLessThanOrEqual(SLA_DIGEST_TEXT_BUDGET);
    expect(SLA_DIGEST_TEXT_BUDGET).toBeLessThanOrEqual(9_000);
    expectWithinMessageLimits(digest);
    // Each line still says which ticket, what is late and offers its Acknowledge.
    for (const [i, line] of mrkdwnTexts(digest.blocks).slice(1, -1).entries()) {
      expect(line).toContain(`*TKT-${100000 + i}*`);
      expect(line).toContain('breached');
      expect(line).toContain('+47 more');
    }
  });

  it('says who acknowledged, in the thread', () => {
    expect(slaAcknowledgedLine({ actorSlackId: 'U0AGENT', kind: 'breach', cancelledEscalations: 0 }).text).toBe(
      '<@U0AGENT> acknowledged this alert — no further escalation',
    );
    expect(slaAcknowledgedLine({ actorSlackId: 'U0AGENT', kind: 'warning', cancelledEscalations: 0 }).text).toBe('<@U0AGENT> acknowledged this alert');
  });
});
