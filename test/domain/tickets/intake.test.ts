import { describe, expect, it } from 'vitest';
import { createTeam } from '../../../src/domain/teams.js';
import { updateTenantSettings } from '../../../src/domain/tenants.js';
import { descriptionFromText, findTicketSource, raiseFromMessage, raisedInRequesterThread, titleFromText, type MessageIntake } from '../../../src/domain/tickets/intake.js';
import { listTickets } from '../../../src/domain/tickets/queries.js';
import { linkThread, listThreads } from '../../../src/domain/tickets/threads.js';
import type { TicketChangeEvent } from '../../../src/domain/tickets/tickets.js';
import { createTicket } from '../../../src/domain/tickets/tickets.js';
import { describeEachDatabase, newTenantId } from '../../support/databases.js';
import { hasLoneSurrogate } from '../../support/block-kit.js';
import { scopeFor } from '../../support/scope.js';

const T0 = '2026-04-01T09:00:00.000Z';

const intake = (more: Partial<MessageIntake> = {}): MessageIntake => ({
  channelId: 'C0GENERAL',
  messageTs: '1712345678.000100',
  threadTs: '1712345678.000100',
  authorId: 'per_author',
  text: 'Printer on fire\nIt is really on fire.',
  via: 'reaction',
  ...more,
});

describe('titles and descriptions from a message', () => {
  it('takes the first non-empty line, whole when it fits', () => {
    expect(titleFromText('\n\n  VPN   drops  \nmore')).toBe('VPN drops');
    expect(titleFromText('   \n')).toBe('Message from Slack');
  });

  it('shortens a long first line at a word boundary', () => {
    const line = `${'word '.repeat(60)}end`;
    const title = titleFromText(line);
    expect(title.length).toBeLessThanOrEqual(200);
    expect(title).toMatch(/word…$/);
    expect(title.slice(0, -1)).toBe(line.slice(0, title.length - 1));
  });

  it('cuts a line without spaces between graphemes, never inside an emoji', () => {
    const family = '👨‍👩‍👧‍👦';
    const title = titleFromText(family.repeat(40), 50);
    expect(title.endsWith('…')).toBe(true);
    const body = title.slice(0, -1);
    expect(body.length % family.length).toBe(0);
    expect(hasLoneSurrogate(body)).toBe(false);
    expect(title.length).toBeLessThanOrEqual(50);
  });

  it('keeps the whole text and links the message in the description', () => {
    expect(descriptionFromText('a\nb', 'https://x.slack.com/archives/C1/p1')).toBe('a\nb\n\nRaised from this Slack message: https://x.slack.com/archives/C1/p1');
    expect(descriptionFromText('a', undefined)).toBe('a');
    const long = descriptionFromText('😀'.repeat(30_000), 'https://x');
    expect(long.length).toBeLessThanOrEqual(40_000);
    expect(hasLoneSurrogate(long)).toBe(false);
  });
});

describeEachDatabase('raising a ticket from a message', (ctx) => {
  it('raises it for the author, by the reactor, to the team of the channel, and links the thread', async () => {
    const tenant = newTenantId();
    const admin = scopeFor(tenant, null, T0);
    const channelTeam = await createTeam(ctx.db, admin, { name: 'Facilities', slack_channel_id: 'C0GENERAL' });
    const defaultTeam = await createTeam(ctx.db, admin, { name: 'IT', slack_channel_id: 'C0IT' });
    await updateTenantSettings(ctx.db, admin, { default_team_id: defaultTeam.id });
    const heard: TicketChangeEvent[] = [];
    const outcome = await raiseFromMessage(ctx.db, scopeFor(tenant, 'per_reactor', T0), intake({ permalink: 'https://x/p1' }), { onChange: (e) => heard.push(e) });
    expect(outcome.kind).toBe('raised');
    if (outcome.kind !== 'raised') return;
    expect(outcome.ticket).toMatchObject({ title: 'Printer on fire', submittedById: 'per_author', createdBy: 'per_reactor', teamId: channelTeam.id, source: 'slack' });
    expect(outcome.ticket.description).toContain('https://x/p1');
    expect(outcome.thread.kind).toBe('linked');
    expect(heard.map((e) => e.kind)).toEqual(['created']);
    expect(await findTicketSource(ctx.db, tenant, 'C0GENERAL', '1712345678.000100')).toMatchObject({ ticketId: outcome.ticket.id, raisedById: 'per_reactor' });
    expect(await raisedInRequesterThread(ctx.db, tenant, outcome.ticket.id)).toBe(true);

    // A channel no team has: the default team.
    const elsewhere = await raiseFromMessage(ctx.db, scopeFor(tenant, 'per_reactor', T0), intake({ channelId: 'C0RANDOM', messageTs: '1712345679.000100', threadTs: '1712345679.000100' }));
    expect(elsewhere.kind === 'raised' && elsewhere.ticket.teamId).toBe(defaultTeam.id);
    // Another tenant's same channel and ts is another message.
    const other = await raiseFromMessage(ctx.db, scopeFor(newTenantId(), 'per_reactor', T0), intake());
    expect(other.kind).toBe('raised');
  });

  it('raises one ticket per message, however many raise it at once; numbers stay consecutive', async () => {
    const tenant = newTenantId();
    const raises = Array.from({ length: 6 }, (_, i) => raiseFromMessage(ctx.db, scopeFor(tenant, `per_reactor${i}`, T0), intake()));
    const outcomes = await Promise.all(raises);
    expect(outcomes.filter((o) => o.kind === 'raised')).toHaveLength(1);
    const winner = outcomes.find((o) => o.kind === 'raised')!;
    const ids = new Set(outcomes.map((o) => (o.kind === 'raised' ? o.ticket.id : o.ticketId)));
    expect(ids.size).toBe(1);
    expect(winner.kind === 'raised' && winner.ticket.number).toBe('TKT-0001');
    const next = await createTicket(ctx.db, scopeFor(tenant, 'per_x', T0), { title: 'Next' });
    expect(next.number).toBe('TKT-0002');
    expect((await listTickets(ctx.db, { tenantId: tenant })).items).toHaveLength(2);
  });

  it('raises a reply in a thread that follows another ticket, leaving the thread with that one', async () => {
    const tenant = newTenantId();
    const scope = scopeFor(tenant, 'per_reactor', T0);
    const first = await createTicket(ctx.db, scope, { title: 'First' });
    await linkThread(ctx.db, scope, first.id, { side: 'requester', channel_id: 'C0GENERAL', thread_ts: '1712345600.000001' });
    const outcome = await raiseFromMessage(ctx.db, scope, intake({ threadTs: '1712345600.000001' }));
    expect(outcome.kind === 'raised' && outcome.thread).toEqual({ kind: 'taken', ticketId: first.id });
    if (outcome.kind !== 'raised') return;
    expect(await listThreads(ctx.db, tenant, outcome.ticket.id)).toEqual([]);
    // Its requester is in no thread of it: the DM is theirs.
    expect(await raisedInRequesterThread(ctx.db, tenant, outcome.ticket.id)).toBe(false);
  });
});
