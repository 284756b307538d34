import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ticketComments } from '../../src/db/schema/index.js';
import { upsertSlackPerson } from '../../src/domain/people.js';
import { createTeam } from '../../src/domain/teams.js';
import { listThreads } from '../../src/domain/tickets/threads.js';
import { createTicket } from '../../src/domain/tickets/tickets.js';
import { createLogger } from '../../src/log.js';
import { createSlackApp, type SlackRuntime } from '../../src/slack/app.js';
import { staticInstallations } from '../../src/slack/installation.js';
import { describeEachDatabase, newTenantId } from '../support/databases.js';
import { FAKE_SLACK_DEFAULTS, startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import { scopeFor } from '../support/scope.js';
import { AGENT, CHANNEL, REQUESTER } from '../support/slack-workspace.js';

/**
 * Socket Mode (SLACK_APP_TOKEN set): the same listeners, reached over Slack's WebSocket instead
 * of signed HTTP requests. The real app connects to the fake Slack (`apps.connections.open`,
 * then the WebSocket, then `hello`), gets envelopes in Slack's real shapes, and acks each one.
 */
describeEachDatabase('Socket Mode', (ctx) => {
  const tenant = newTenantId();
  const problems: string[] = [];
  let fake: FakeSlack;
  let slack: SlackRuntime;

  beforeAll(async () => {
    fake = await startFakeSlack();
    slack = createSlackApp({
      db: ctx.db,
      appToken: 'xapp-1-A0FAKEAPP1-1-test',
      botToken: 'xoxb-test-token',
      apiUrl: fake.url,
      log: createLogger('warn', (line) => problems.push(line)),
      retryConfig: { retries: 0 },
      installations: staticInstallations([
        { teamId: tenant, enterpriseId: undefined, isEnterpriseInstall: false, botToken: 'xoxb-test-token', botUserId: FAKE_SLACK_DEFAULTS.botUserId, botId: FAKE_SLACK_DEFAULTS.botId },
      ]),
    });
    await slack.start();
    await fake.socketMode.connected();
  });
  afterAll(async () => {
    await slack?.stop();
    await fake?.close();
  });

  let seq = 0;
  const nextTs = () => `1820000000.${String(++seq).padStart(6, '0')}`;

  /** An `events_api` envelope as Slack sends it over the socket. */
  function eventsApi(event: Record<string, unknown>, more: { eventId?: string; retryAttempt?: number } = {}) {
    return {
      envelope_id: randomUUID(),
      type: 'events_api',
      accepts_response_payload: false,
      retry_attempt: more.retryAttempt ?? 0,
      retry_reason: more.retryAttempt ? 'timeout' : '',
      payload: {
        token: 'verification-token',
        team_id: tenant,
        api_app_id: FAKE_SLACK_DEFAULTS.appId,
        event: { ...event, team: tenant, event_ts: event.ts },
        type: 'event_callback',
        event_id: more.eventId ?? `Ev${randomUUID().slice(0, 10).toUpperCase()}`,
        event_time: Math.floor(Date.now() / 1000),
        authorizations: [{ enterprise_id: null, team_id: tenant, user_id: FAKE_SLACK_DEFAULTS.botUserId, is_bot: true, is_enterprise_install: false }],
        is_ext_shared_channel: false,
        event_context: `4-${randomUUID()}`,
      },
    };
  }

  it('connects through apps.connections.open with the app-level token', () => {
    const open = fake.callsTo('apps.connections.open');
    expect(open).toHaveLength(1);
    expect(open[0]!.token).toBe('xapp-1-A0FAKEAPP1-1-test');
  });

  it('acks a thread reply\'s envelope, stores it as a comment and mirrors it; a redelivery (same event_id) is applied once', async () => {
    const admin = scopeFor(tenant, null, new Date());
    const agent = await upsertSlackPerson(ctx.db, tenant, { slackUserId: AGENT }, new Date());
    const requester = await upsertSlackPerson(ctx.db, tenant, { slackUserId: REQUESTER }, new Date());
    const team = await createTeam(ctx.db, admin, { name: 'IT desk', slack_channel_id: CHANNEL, agent_ids: [agent.id] });
    const ticket = await createTicket(ctx.db, scopeFor(tenant, requester.id, new Date()), { title: 'VPN drops', team_id: team.id }, { onChange: slack.notifier.onTicketChange });
    await slack.idle();
    const threads = await listThreads(ctx.db, tenant, ticket.id);
    const agents = threads.find((t) => t.side === 'agents')!;
    const dm = threads.find((t) => t.side === 'requester')!;
    expect(dm).toBeDefined();

    const ts = nextTs();
    const event = { type: 'message', channel: CHANNEL, channel_type: 'channel', user: AGENT, text: 'Try the other VPN profile', ts, thread_ts: agents.threadTs, client_msg_id: randomUUID() };
    const envelope = eventsApi(event);
    fake.socketMode.send(envelope);
    const ack = await fake.socketMode.waitForAck(envelope.envelope_id);
    expect(ack).toEqual({ envelope_id: envelope.envelope_id, payload: {} });
    const copy = await fake.waitFor('chat.postMessage', (c) => c.args.channel === dm.channelId && c.args.thread_ts === dm.threadTs);
    expect(copy.args.text).toBe(`<@${AGENT}>: Try the other VPN profile`);
    await slack.idle();

    // Slack retries over the socket too: a new envelope, the same event.
    const retry = eventsApi(event, { eventId: envelope.payload.event_id, retryAttempt: 1 });
    fake.socketMode.send(retry);
    expect((await fake.socketMode.waitForAck(retry.envelope_id)).envelope_id).toBe(retry.envelope_id);
    await slack.idle();
    const comments = await ctx.db.select().from(ticketComments).where(and(eq(ticketComments.tenantId, tenant), eq(ticketComments.ticketId, ticket.id)));
    expect(comments.map((c) => [c.authorId, c.visibility, c.body])).toEqual([[agent.id, 'public', 'Try the other VPN profile']]);
    expect(fake.callsTo('chat.postMessage').filter((c) => c.args.channel === dm.channelId && c.args.thread_ts === dm.threadTs)).toHaveLength(1);
    expect(problems).toEqual([]);
  });

  it('answers a slash command in its ack\'s payload', async () => {
    const envelope = {
      envelope_id: randomUUID(),
      type: 'slash_commands',
      accepts_response_payload: true,
      payload: {
        token: 'verification-token',
        team_id: tenant,
        team_domain: 'fake-workspace',
        channel_id: 'C0GENERAL',
        channel_name: 'general',
        user_id: REQUESTER,
        user_name: 'requester',
        command: '/ticket',
        text: 'help',
        api_app_id: FAKE_SLACK_DEFAULTS.appId,
        is_enterprise_install: 'false',
        response_url: fake.responseUrl('socket-help'),
        trigger_id: `${Date.now()}.1.${randomUUID().replaceAll('-', '')}`,
      },
    };
    fake.socketMode.send(envelope);
    const ack = await fake.socketMode.waitForAck(envelope.envelope_id);
    expect(ack.payload).toMatchObject({ response_type: 'ephemeral', text: 'How to use /ticket' });
    expect(problems).toEqual([]);
  });
});
