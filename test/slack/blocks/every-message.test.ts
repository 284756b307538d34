import { describe, expect, it } from 'vitest';
import { TICKET_STATUSES } from '../../../src/db/schema/enums.js';
import { SLA_DIGEST_MAX } from '../../../src/domain/sla/delivery.js';
import { slaAlertMessage, type SlaAlertView, slaDigestMessage } from '../../../src/slack/blocks/alerts.js';
import { errorMessage, helpMessage } from '../../../src/slack/blocks/card.js';
import type { SlackMessage } from '../../../src/slack/blocks/elements.js';
import { ticketModal } from '../../../src/slack/blocks/form.js';
import { commentCopy, intakeAnswer, threadLine } from '../../../src/slack/blocks/messages.js';
import { ticketActionIds } from '../../../src/slack/ids.js';
import { actionIds, buttons, card, DUE, everyMessage, expectWithinMessageLimits, makeTicket, mrkdwnTexts, ticketIn } from '../../support/block-fixtures.js';
import { checkMessage, checkView, hasLoneSurrogate } from '../../support/block-kit.js';

describe('every message', () => {
  const tickets = TICKET_STATUSES.flatMap((s) => [ticketIn(s, false), ticketIn(s, true)]);

  it('puts the ticket id in every button value', () => {
    for (const ticket of tickets) {
      for (const message of everyMessage(ticket)) {
        for (const b of buttons(message.blocks)) expect(b.value).toBe(ticket.id);
      }
    }
  });

  it('only uses action ids the listeners handle', () => {
    const known = new Set<string>(ticketActionIds());
    for (const ticket of tickets) {
      for (const message of everyMessage(ticket)) {
        for (const id of actionIds(message.blocks)) expect(known.has(id), id).toBe(true);
      }
    }
  });

  it('stays within the message limits', () => {
    for (const ticket of tickets) for (const message of everyMessage(ticket)) expectWithinMessageLimits(message);
  });
});

describe('hostile text in every builder', () => {
  // Titles at the domain's 200-character maximum with an emoji (or a ZWJ family, or a flag)
  // straddling every cut point a builder may use, and mrkdwn control sequences.
  const fillers = ['😀', '👨‍👩‍👧‍👦', '🇩🇪', '<!channel>', '&'];
  const titles = fillers.flatMap((filler) =>
    Array.from({ length: filler.length + 1 }, (_, shift) => `${'x'.repeat(shift)}${filler.repeat(200)}`.slice(0, 200 - ((200 - shift) % filler.length))),
  );
  const description = '<!here> <@U0ADMIN> <#C0GENERAL|general> <https://evil.example|click> &amp; 😀'.repeat(600);
  const permalink = 'https://acme.slack.com/archives/C1/p1';
  /** Whatever `<` is left once the builders' own mentions, dates and links are removed came from the user. */
  const userControl = (text: string) =>
    text.replace(/<@U0(SUBMIT|AGENT)>/g, '').replace(/<!date\^[^>]*>/g, '').replace(/<https:\/\/acme\.slack\.com\/archives\/C1\/p1\|[a-z ]+>/g, '');

  function messagesFor(title: string): SlackMessage[] {
    const ticket = makeTicket({ title, description, category: '<!channel>'.repeat(10) });
    const view: SlaAlertView = {
      alertId: 'alr_1',
      kind: 'escalation',
      clock: 'resolution',
      sequence: 1,
      escalationMax: 3,
      ticket,
      assigneeSlackId: null,
      minutes: 61,
      businessTime: false,
      deadlineAt: DUE,
      escalationContactSlackIds: ['U0AGENT'],
      cardPermalink: permalink,
    };
    return [
      ...everyMessage(ticket),
      card(ticket, { teamName: '<!here> team' }),
      intakeAnswer({ ticket, teamName: '<!here> team', requesterSlackId: 'U0SUBMIT', raisedBySlackId: 'U0AGENT' }),
      slaAlertMessage(view),
      slaDigestMessage(Array.from({ length: SLA_DIGEST_MAX }, () => view)),
      { ...threadLine({ actorSlackId: 'U0AGENT', kind: 'updated', detail: title }), blocks: [] },
      // A comment written through the API, by someone whose Slack name is hostile too.
      {
        ...commentCopy({
          comment: { body: `${title}\n${description}`, text: `${title}\n${description}`, source: 'api', visibility: 'internal', files: [] },
          author: { name: title, slackUserId: 'U0AGENT', iconUrl: null },
          customize: false,
        }),
        blocks: [],
      },
      helpMessage({ unknown: title }),
      errorMessage(title),
    ];
  }

  it.each(titles.map((title) => [title.length, title]))('accepted by Slack, nothing unescaped (%i characters)', (_length, title) => {
    expect(hasLoneSurrogate(title)).toBe(false);
    for (const message of messagesFor(title)) {
      const { blocks, ...rest } = message;
      expect(checkMessage({ channel: 'C1', ...rest, ...(blocks.length > 0 ? { blocks } : {}) })).toBeUndefined();
      for (const text of [message.text, ...mrkdwnTexts(message.blocks)]) expect(userControl(text)).not.toContain('<');
    }
    const view = ticketModal({ teams: [{ id: 'grp_1', name: title }], initial: { title, description, category: title }, sourceMessageLink: permalink });
    expect(checkView(view)).toBeUndefined();
  });
});
