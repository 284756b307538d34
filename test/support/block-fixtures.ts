/** Tickets and JSON walkers for the Block Kit builders' tests. */
import type { ViewOutput } from '@slack/bolt';
import { expect } from 'vitest';
import type { TicketStatus } from '../../src/db/schema/enums.js';
import type { Ticket } from '../../src/domain/tickets/queries.js';
import { ticketCard, ticketList, ticketSummary } from '../../src/slack/blocks/card.js';
import type { SlackMessage } from '../../src/slack/blocks/elements.js';
import { ticketModal } from '../../src/slack/blocks/form.js';
import { requesterCreatedDm, requesterUpdateDm } from '../../src/slack/blocks/messages.js';
import { checkMessage } from './block-kit.js';

export const CREATED = new Date('2025-03-04T09:00:00.000Z');
export const FIRST_DUE = new Date('2025-03-04T13:30:00.000Z');
export const DUE = new Date('2025-03-06T17:00:00.000Z');

export function makeTicket(overrides: Partial<Ticket> = {}): Ticket {
  return {
    tenantId: 'ten_1',
    id: 'tkt_01JNQ5ZKX8Y3V2M4T6R9P0A1BC',
    appId: null,
    createdAt: CREATED,
    updatedAt: CREATED,
    createdBy: 'per_1',
    updatedBy: 'per_1',
    source: 'slack',
    sourceType: 'frontend',
    isDeleted: false,
    deletedAt: null,
    deletedBy: null,
    schemaVersion: 1,
    revision: 1,
    numberSeq: 42,
    number: 'TKT-0042',
    title: 'Printer on fire',
    description: 'Third floor, near the kitchen.',
    type: 'incident',
    status: 'open',
    priority: 'high',
    category: 'Hardware',
    submittedById: 'per_1',
    assignedToId: null,
    teamId: 'grp_1',
    slaPolicyId: 'sla_1',
    firstResponseAt: null,
    resolvedAt: null,
    closedAt: null,
    dueAt: DUE,
    firstResponseDueAt: FIRST_DUE,
    firstResponseWarnAt: null,
    resolutionWarnAt: null,
    slaCycle: 1,
    slaCycleStartedAt: CREATED,
    slaPauses: [],
    nextResponseStartedAt: null,
    nextResponseDueAt: null,
    nextResponseWarnAt: null,
    nextResponseRound: 0,
    relatedAssetId: null,
    relatedVulnerabilityId: null,
    tags: [],
    slackChannelId: 'C0123ABCD',
    slackMessageTs: null,
    ...overrides,
  };
}

/** A ticket consistent with its status: assigned tickets carry an assignee, finished ones their stamps. */
export function ticketIn(status: TicketStatus, assigned: boolean): Ticket {
  return makeTicket({
    status,
    assignedToId: assigned ? 'per_2' : null,
    firstResponseAt: status === 'open' ? null : new Date('2025-03-04T10:00:00.000Z'),
    resolvedAt: status === 'resolved' || status === 'closed' ? new Date('2025-03-05T10:00:00.000Z') : null,
    closedAt: status === 'closed' ? new Date('2025-03-05T12:00:00.000Z') : null,
  });
}

export function card(ticket: Ticket, extra: Partial<Parameters<typeof ticketCard>[0]> = {}): SlackMessage {
  return ticketCard({
    ticket,
    submitterSlackId: 'U0SUBMIT',
    assigneeSlackId: ticket.assignedToId ? 'U0AGENT' : null,
    teamName: 'IT Support',
    ...extra,
  });
}

export type Json = Record<string, unknown>;

/** Every object nested anywhere in `value` (itself included). */
export function objects(value: unknown): Json[] {
  if (Array.isArray(value)) return value.flatMap(objects);
  if (value === null || typeof value !== 'object') return [];
  return [value as Json, ...Object.values(value).flatMap(objects)];
}

export const ofType = (value: unknown, type: string) => objects(value).filter((o) => o.type === type);
export const mrkdwnTexts = (value: unknown) => ofType(value, 'mrkdwn').map((o) => o.text as string);
export const buttons = (value: unknown) => ofType(value, 'button');
export const actionIds = (value: unknown) =>
  objects(value)
    .filter((o) => 'action_id' in o)
    .map((o) => o.action_id as string);
export const blocksOf = (view: { blocks: unknown[] }) => view.blocks as Json[];
export const block = (view: { blocks: unknown[] }, id: string) => blocksOf(view).find((b) => b.block_id === id);
export const allText = (message: SlackMessage) => [message.text, ...mrkdwnTexts(message.blocks)].join('\n');

/** The value/option Slack would echo back for an untouched input. */
export function stateFromModal(view: ReturnType<typeof ticketModal>): ViewOutput['state']['values'] {
  const values: ViewOutput['state']['values'] = {};
  for (const b of blocksOf(view).filter((b) => b.type === 'input')) {
    const element = b.element as Json;
    values[b.block_id as string] = {
      [element.action_id as string]:
        element.type === 'static_select'
          ? { type: 'static_select', selected_option: (element.initial_option as never) ?? null }
          : { type: 'plain_text_input', value: (element.initial_value as string | undefined) ?? null },
    };
  }
  return values;
}

/** Checks a message against every Block Kit limit the fake Slack enforces (`block-kit.ts`). */
export function expectWithinMessageLimits(message: SlackMessage): void {
  expect(checkMessage({ channel: 'C1', ...message })).toBeUndefined();
}

export function everyMessage(ticket: Ticket): SlackMessage[] {
  return [
    card(ticket, { breach: { firstResponse: true, resolution: true } }),
    ticketSummary({
      ticket,
      submitterSlackId: 'U0SUBMIT',
      assigneeSlackId: null,
      teamName: 'IT Support',
      cardPermalink: 'https://acme.slack.com/archives/C0123ABCD/p1741078800000100',
    }),
    requesterCreatedDm({ ticket, teamName: 'IT Support', cardPermalink: 'https://acme.slack.com/archives/C1/p1' }),
    ...(['claimed', 'pending', 'resolved', 'closed', 'reopened'] as const).map((kind) =>
      requesterUpdateDm({ ticket, kind, actorSlackId: 'U0AGENT', cardPermalink: 'https://acme.slack.com/archives/C1/p1' }),
    ),
    ticketList({ tickets: [ticket] }),
  ];
}
