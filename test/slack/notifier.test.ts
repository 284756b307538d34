import { afterAll, beforeAll, expect, it } from 'vitest';
import { getTicket } from '../../src/domain/tickets/queries.js';
import { changeTicketStatus, claimTicket } from '../../src/domain/tickets/tickets.js';
import { describeEachDatabase } from '../support/databases.js';
import { tokenFor } from '../support/http-server.js';
import { scopeFor } from '../support/scope.js';
import { type SlackHarness, startSlackHarness } from '../support/slack-harness.js';
import { REQUESTER, slackWorkspaces, textOf } from '../support/slack-workspace.js';

describeEachDatabase('the Slack notifier', (ctx) => {
  let h: SlackHarness;

  beforeAll(async () => {
    h = await startSlackHarness({ db: ctx.db });
  });
  afterAll(async () => {
    await h?.close();
  });

  const { since, workspace, fileTicket } = slackWorkspaces(() => h, () => ctx.db);

  it('in a burst of changes, posts each ticket\'s card update, thread lines and DMs, in the order of its changes', async () => {
    const { teamId, agent } = await workspace();
    const filed = [];
    for (let i = 0; i < 6; i++) filed.push((await fileTicket(teamId, { title: `Burst ${i}` })).ticket);
    const cards = await Promise.all(filed.map((t) => getTicket(ctx.db, { tenantId: teamId }, t.id)));
    const mark = h.fake.calls.length;
    const onChange = h.slack.notifier.onTicketChange;
    // Every ticket claimed and then set pending at once, as fast as the writes go.
    await Promise.all(
      cards.map(async (t) => {
        await claimTicket(ctx.db, scopeFor(teamId, agent.id, new Date()), t.id, { onChange });
        await changeTicketStatus(ctx.db, scopeFor(teamId, agent.id, new Date()), t.id, 'pending', { onChange });
      }),
    );
    await h.slack.idle();
    const calls = h.fake.calls.slice(mark);
    for (const t of cards) {
      const mine = calls.filter((c) => c.args.ts === t.slackMessageTs || c.args.thread_ts === t.slackMessageTs || (c.args.channel === REQUESTER && textOf(c).includes(t.number)));
      const order = mine.map((c) =>
        c.method === 'chat.update'
          ? `card:${/Pending/.test(textOf(c)) ? 'pending' : 'claimed'}`
          : c.args.thread_ts
            ? `line:${/pending/i.test(textOf(c)) ? 'pending' : 'claimed'}`
            : `dm:${/needs your input/.test(textOf(c)) ? 'pending' : 'claimed'}`,
      );
      // The claim's card update comes before its line and DM; the pending change's after the claim's.
      expect(order.filter((o) => o.startsWith('line:'))).toEqual(['line:claimed', 'line:pending']);
      expect(order.filter((o) => o.startsWith('dm:'))).toEqual(['dm:claimed', 'dm:pending']);
      expect(order.indexOf('card:claimed')).toBeLessThan(order.indexOf('line:claimed'));
      expect(order.indexOf('line:claimed')).toBeLessThan(order.indexOf('dm:claimed'));
      expect(order.lastIndexOf('card:pending')).toBeGreaterThan(order.indexOf('card:claimed'));
    }
  });

  it('updates the card when the ticket changes through the REST API', async () => {
    const { teamId, agent } = await workspace();
    const { ticket } = await fileTicket(teamId);
    const after = since();
    // An agent of the ticket's team, through the API (a human token acts with the person's roles).
    const token = await tokenFor({ sub: agent.id, tenant_id: teamId });
    const res = await fetch(`${h.baseUrl}/api/v1/helpdesk/tickets/${ticket.number}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ priority: 'urgent', title: 'VPN down for everyone' }),
    });
    expect(res.status).toBe(200);
    const update = await after('chat.update');
    expect(textOf(update)).toContain('VPN down for everyone');
    expect(textOf(update)).toContain('Urgent');
    const line = await after('chat.postMessage', (c) => c.args.thread_ts !== undefined);
    expect(String(line.args.text)).toMatch(/priority|title/);
    // The card bookkeeping did not invalidate the client's ETag.
    const etag = res.headers.get('etag')!;
    const again = await fetch(`${h.baseUrl}/api/v1/helpdesk/tickets/${ticket.id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'if-match': etag },
      body: JSON.stringify({ category: 'network' }),
    });
    expect(again.status).toBe(200);
  });
});
