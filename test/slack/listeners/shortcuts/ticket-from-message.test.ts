import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ticketComments } from '../../../../src/db/schema/index.js';
import { linkSourceThread } from '../../../../src/domain/tickets/conversation.js';
import { getTicket, listTickets } from '../../../../src/domain/tickets/queries.js';
import { findThread, listThreads } from '../../../../src/domain/tickets/threads.js';
import { createTicket } from '../../../../src/domain/tickets/tickets.js';
import { CALLBACK } from '../../../../src/slack/ids.js';
import { describeEachDatabase, newTenantId } from '../../../support/databases.js';
import type { FakeSlackCall } from '../../../support/fake-slack.js';
import { scopeFor } from '../../../support/scope.js';
import { type SlackHarness, startSlackHarness } from '../../../support/slack-harness.js';
import { AGENT, CHANNEL, modalValues, REQUESTER, slackWorkspaces } from '../../../support/slack-workspace.js';

/** The public channel where someone asked for help, and a colleague of the requester there. */
const GENERAL = 'C0GENERAL';
const COLLEAGUE = 'UOTHER01';

let seq = 0;
const nextTs = () => `1810000000.${String(++seq).padStart(6, '0')}`;

describeEachDatabase('the message shortcut', (ctx) => {
  let h: SlackHarness;

  beforeAll(async () => {
    h = await startSlackHarness({ db: ctx.db });
  });
  afterAll(async () => {
    await h?.close();
  });

  const { since, workspace } = slackWorkspaces(() => h, () => ctx.db);
  const callsSince = (mark: number, method: string, predicate: (c: FakeSlackCall) => boolean = () => true) =>
    h.fake.calls.slice(mark).filter((c) => c.method === method && predicate(c));

  /** The shortcut on a message, then the form it opened submitted as it came (its private_metadata included). */
  async function raiseFrom(teamId: string, channelId: string, message: { ts: string; thread_ts?: string; text: string; user?: string }, title = 'Laptop will not boot') {
    const after = since();
    await h.sender.messageShortcut({ callbackId: CALLBACK.messageShortcut, userId: REQUESTER, teamId, channelId, message: { user: COLLEAGUE, ...message } });
    const open = await after('views.open');
    const view = open.args.view as { private_metadata?: string };
    const res = await h.sender.viewSubmission({
      userId: REQUESTER,
      teamId,
      view: { callback_id: CALLBACK.createTicketModal, private_metadata: view.private_metadata ?? '', state: { values: modalValues({ title }) } },
    });
    expect(res.status).toBe(200);
    expect(res.body).toBe('');
    await h.slack.idle();
    const [ticket] = (await listTickets(ctx.db, { tenantId: teamId }, { sort: '-number', limit: 1 })).items;
    return { ticket: ticket!, privateMetadata: view.private_metadata };
  }

  it('opens the modal from the message shortcut, prefilled with the message and its link', async () => {
    const { teamId } = await workspace();
    const after = since();
    await h.sender.messageShortcut({
      callbackId: CALLBACK.messageShortcut,
      userId: REQUESTER,
      teamId,
      channelId: 'C0GENERAL',
      message: { ts: '1700000123.000200', text: 'Laptop will not boot\nTried twice', user: 'UOTHER01' },
    });
    const open = await after('views.open');
    const json = JSON.stringify(open.args.view);
    expect(json).toContain('Laptop will not boot');
    expect(json).toContain('Tried twice');
    expect(json).toContain('https://fake-workspace.slack.com/archives/C0GENERAL/');
  });

  it('carries the message\'s thread in the form: its own ts, or the thread it is a reply in', async () => {
    const { teamId } = await workspace();
    let after = since();
    await h.sender.messageShortcut({ callbackId: CALLBACK.messageShortcut, userId: REQUESTER, teamId, channelId: GENERAL, message: { ts: '1700000200.000100', text: 'top', user: COLLEAGUE } });
    const top = (await after('views.open')).args.view as { private_metadata: string };
    expect(JSON.parse(top.private_metadata)).toEqual({ source: { channel_id: GENERAL, thread_ts: '1700000200.000100' } });
    after = since();
    await h.sender.messageShortcut({ callbackId: CALLBACK.messageShortcut, userId: REQUESTER, teamId, channelId: GENERAL, message: { ts: '1700000200.000300', thread_ts: '1700000200.000100', text: 'a reply', user: COLLEAGUE } });
    const reply = (await after('views.open')).args.view as { private_metadata: string };
    expect(JSON.parse(reply.private_metadata)).toEqual({ source: { channel_id: GENERAL, thread_ts: '1700000200.000100' } });
  });

  it('makes the message\'s thread a requester\'s side: the app answers there, and replies go to the card\'s thread and back', async () => {
    const { teamId, team } = await workspace();
    const messageTs = nextTs();
    const mark = h.fake.calls.length;
    const { ticket } = await raiseFrom(teamId, GENERAL, { ts: messageTs, text: 'My laptop will not boot' }, 'Laptop <!channel> & boot');

    // Linked before the ack, beside the card's thread and the requester's DM.
    const threads = await listThreads(ctx.db, teamId, ticket.id);
    expect(threads.map((t) => [t.side, t.channelId, t.side === 'requester' && t.channelId === GENERAL ? t.threadTs : '']).sort()).toEqual(
      [['agents', CHANNEL, ''], ['requester', `D${REQUESTER}`, ''], ['requester', GENERAL, messageTs]].sort(),
    );
    // It joins the public channel (only members hear its messages), then answers in the message's thread.
    expect(callsSince(mark, 'conversations.join').map((c) => c.args.channel)).toEqual([GENERAL]);
    const answers = callsSince(mark, 'chat.postMessage', (c) => c.args.channel === GENERAL);
    expect(answers).toHaveLength(1);
    expect(answers[0]!.args.thread_ts).toBe(messageTs);
    const text = String(answers[0]!.args.text);
    expect(text).toBe(`:ticket: <@${REQUESTER}> raised *${ticket.number}* · Laptop &lt;!channel&gt; &amp; boot for *${team.name}* from this message. Replies in this thread reach the agents, and theirs appear here.`);
    // The requester's DM is as it always was.
    expect(callsSince(mark, 'chat.postMessage', (c) => c.args.channel === REQUESTER && String(c.args.text).includes(ticket.number))).toHaveLength(1);

    // A colleague adds something in the message's thread: it reaches the agents, not the requester's DM.
    const agents = threads.find((t) => t.side === 'agents')!;
    const dm = threads.find((t) => t.channelId === `D${REQUESTER}`)!;
    const colleagueMark = h.fake.calls.length;
    await h.sender.event({ teamId, event: { type: 'message', channel: GENERAL, channel_type: 'channel', user: COLLEAGUE, text: 'Same here since 9am', ts: nextTs(), thread_ts: messageTs } });
    await h.slack.idle();
    const copies = callsSince(colleagueMark, 'chat.postMessage');
    expect(copies.map((c) => [c.args.channel, c.args.thread_ts, c.args.text])).toEqual([[CHANNEL, agents.threadTs, `<@${COLLEAGUE}>: Same here since 9am`]]);
    let after = since();

    // An agent answers in the card's thread: both of the requester's threads get it.
    after = since();
    await h.sender.event({ teamId, event: { type: 'message', channel: CHANNEL, channel_type: 'channel', user: AGENT, text: 'Hold the power button for 10s', ts: nextTs(), thread_ts: agents.threadTs } });
    await h.slack.idle();
    await after('chat.postMessage', (c) => c.args.channel === GENERAL && c.args.thread_ts === messageTs && c.args.text === `<@${AGENT}>: Hold the power button for 10s`);
    await after('chat.postMessage', (c) => c.args.channel === `D${REQUESTER}` && c.args.thread_ts === dm.threadTs);
    const comments = await ctx.db.select().from(ticketComments).where(and(eq(ticketComments.tenantId, teamId), eq(ticketComments.ticketId, ticket.id)));
    expect(comments.map((c) => c.body).sort()).toEqual(['Hold the power button for 10s', 'Same here since 9am']);
  });

  it('answers in the thread once when Slack delivers the same submission twice', async () => {
    const { teamId } = await workspace();
    const messageTs = nextTs();
    const mark = h.fake.calls.length;
    const submission = {
      userId: REQUESTER,
      teamId,
      view: { id: `V${newTenantId()}`, callback_id: CALLBACK.createTicketModal, private_metadata: JSON.stringify({ source: { channel_id: GENERAL, thread_ts: messageTs } }), state: { values: modalValues({ title: 'Twice' }) } },
    };
    for (const _ of [1, 2]) {
      expect((await h.sender.viewSubmission(submission)).status).toBe(200);
      await h.slack.idle();
    }
    expect((await listTickets(ctx.db, { tenantId: teamId }, {})).items).toHaveLength(1);
    expect(callsSince(mark, 'chat.postMessage', (c) => c.args.channel === GENERAL && c.args.thread_ts === messageTs)).toHaveLength(1);
  });

  it('raised from a reply, follows the thread that reply is in', async () => {
    const { teamId } = await workspace();
    const parent = nextTs();
    const { ticket } = await raiseFrom(teamId, GENERAL, { ts: nextTs(), thread_ts: parent, text: 'me too' });
    expect((await findThread(ctx.db, teamId, GENERAL, parent))?.ticketId).toBe(ticket.id);
  });

  it('where the app cannot post (a private channel it is not in), keeps the ticket, unlinks the thread and tells the requester by DM', async () => {
    const { teamId } = await workspace();
    const secret = 'C0SECRET1';
    h.fake.keepOut(secret);
    const messageTs = nextTs();
    const mark = h.fake.calls.length;
    const { ticket } = await raiseFrom(teamId, secret, { ts: messageTs, text: 'Printer jammed' }, 'Printer jammed');
    expect(ticket.title).toBe('Printer jammed');
    expect(callsSince(mark, 'chat.postMessage', (c) => c.args.channel === secret).map((c) => c.error)).toEqual(['not_in_channel']);
    const told = callsSince(mark, 'chat.postMessage', (c) => c.args.channel === REQUESTER && String(c.args.text).includes('I could not answer in the thread'));
    expect(told).toHaveLength(1);
    expect(String(told[0]!.args.text)).toContain(`*${ticket.number}*`);
    expect(String(told[0]!.args.text)).toContain('invite me');
    expect((await listThreads(ctx.db, teamId, ticket.id)).map((t) => t.side).sort()).toEqual(['agents', 'requester']);
    expect(await findThread(ctx.db, teamId, secret, messageTs)).toBeUndefined();
    expect(h.problems).toEqual([]);
  });

  it('leaves a thread that already follows a ticket with it, and says so there', async () => {
    const { teamId } = await workspace();
    const messageTs = nextTs();
    const first = (await raiseFrom(teamId, GENERAL, { ts: messageTs, text: 'VPN down' }, 'VPN down')).ticket;
    const mark = h.fake.calls.length;
    const second = (await raiseFrom(teamId, GENERAL, { ts: messageTs, text: 'VPN down' }, 'VPN down again')).ticket;
    expect(second.id).not.toBe(first.id);
    expect((await findThread(ctx.db, teamId, GENERAL, messageTs))?.ticketId).toBe(first.id);
    const said = callsSince(mark, 'chat.postMessage', (c) => c.args.channel === GENERAL);
    expect(said.map((c) => [c.args.thread_ts, c.args.text])).toEqual([
      [messageTs, `:ticket: <@${REQUESTER}> raised *${second.number}* · VPN down again from this message. Replies in this thread keep going to *${first.number}* · VPN down.`],
    ]);
  });

  it('creates the ticket but links nothing when the form\'s metadata is not what the app wrote', async () => {
    const { teamId } = await workspace();
    for (const metadata of ['not json', '{"source":{"channel_id":42}}', '{"source":{"channel_id":"C0GENERAL>x","thread_ts":"1810000000.000001"}}', '{"source":{"channel_id":"C0GENERAL","thread_ts":"yesterday"}}']) {
      const mark = h.fake.calls.length;
      const res = await h.sender.viewSubmission({
        userId: REQUESTER,
        teamId,
        view: { callback_id: CALLBACK.createTicketModal, private_metadata: metadata, state: { values: modalValues({ title: `Forged ${metadata.length}` }) } },
      });
      expect(res.status, metadata).toBe(200);
      expect(res.body, metadata).toBe('');
      await h.slack.idle();
      const [ticket] = (await listTickets(ctx.db, { tenantId: teamId }, { sort: '-number', limit: 1 })).items;
      expect(ticket!.title).toBe(`Forged ${metadata.length}`);
      expect((await listThreads(ctx.db, teamId, ticket!.id)).map((t) => t.side).sort(), metadata).toEqual(['agents', 'requester']);
      expect(callsSince(mark, 'chat.postMessage', (c) => String(c.args.channel).startsWith('C0GENERAL')), metadata).toEqual([]);
      expect(callsSince(mark, 'conversations.join'), metadata).toEqual([]);
    }
    expect(h.problems.length).toBe(4);
    expect(h.problems.every((line) => /private_metadata the app did not write|no Slack thread/.test(line))).toBe(true);
    h.problems.length = 0;
  });

  it('keeps a thread linked in one workspace out of another\'s reach: links are per tenant', async () => {
    const ours = newTenantId();
    const theirs = newTenantId();
    const ourTicket = await createTicket(ctx.db, scopeFor(ours, null, new Date()), { title: 'Ours' });
    const theirTicket = await createTicket(ctx.db, scopeFor(theirs, null, new Date()), { title: 'Theirs' });
    const source = { channel_id: GENERAL, thread_ts: '1810000099.000100' };
    expect((await linkSourceThread(ctx.db, scopeFor(ours, null, new Date()), ourTicket.id, source)).kind).toBe('linked');
    // The same ids named in another workspace link there, never to (or over) ours.
    expect((await linkSourceThread(ctx.db, scopeFor(theirs, null, new Date()), theirTicket.id, source)).kind).toBe('linked');
    expect((await findThread(ctx.db, ours, GENERAL, source.thread_ts))?.ticketId).toBe(ourTicket.id);
    expect((await findThread(ctx.db, theirs, GENERAL, source.thread_ts))?.ticketId).toBe(theirTicket.id);
    expect((await getTicket(ctx.db, { tenantId: ours }, ourTicket.id)).title).toBe('Ours');
  });
});
