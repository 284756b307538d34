import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, ExpressReceiver, LogLevel, webApi } from '@slack/bolt';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FAKE_SLACK_DEFAULTS, FAKE_SLACK_SCOPES, type FakeSlack, startFakeSlack } from '../support/fake-slack.js';
import { createSlackSender, type SlackSender, signSlackRequest } from '../support/slack-requests.js';

// @slack/web-api is only a dependency of Bolt, so use Bolt's re-export (same version Bolt uses).
const { WebClient } = webApi;

const ADA = {
  id: 'U0ADA00001',
  name: 'ada',
  real_name: 'Ada Lovelace',
  tz: 'Europe/London',
  tz_offset: 0,
} as const;

/** The platform error code a rejected Web API call carries (`err.data.error`). */
async function slackError(call: Promise<unknown>): Promise<string | undefined> {
  try {
    await call;
  } catch (error) {
    const data = (error as { data?: { error?: string } }).data;
    return data?.error ?? (error as { code?: string }).code;
  }
  throw new Error('expected the call to fail');
}

describe('fake Slack Web API', () => {
  let fake: FakeSlack;
  let client: InstanceType<typeof WebClient>;

  beforeAll(async () => {
    fake = await startFakeSlack({ users: [ADA] });
    // Quiet: the client logs the messages of every refusal these tests provoke on purpose.
    const quiet = { debug() {}, info() {}, warn() {}, error() {}, setLevel() {}, getLevel: () => LogLevel.ERROR, setName() {} };
    client = new WebClient('xoxb-test', { slackApiUrl: fake.url, logger: quiet, retryConfig: { retries: 0 } });
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => {
    fake.reset();
  });

  it('answers chat.postMessage and records the blocks decoded from the form body', async () => {
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*New ticket* #42' } }];
    const result = await client.chat.postMessage({ channel: 'C0HELPDESK', text: 'New ticket #42', blocks });

    expect(fake.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
    expect(result).toMatchObject({ ok: true, channel: 'C0HELPDESK', message: { text: 'New ticket #42', blocks } });
    expect(result.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(fake.calls).toHaveLength(1);
    const [call] = fake.callsTo('chat.postMessage');
    expect(call).toMatchObject({ method: 'chat.postMessage', token: 'xoxb-test', args: { channel: 'C0HELPDESK', blocks } });
    expect(call?.args).not.toHaveProperty('token');
    expect(call?.at).toBeInstanceOf(Date);
  });

  it('gives unique, increasing message timestamps', async () => {
    const posted = [];
    for (let i = 0; i < 3; i += 1) posted.push((await client.chat.postMessage({ channel: 'C1', text: `m${i}` })).ts);
    const ephemeral = await client.chat.postEphemeral({ channel: 'C1', user: ADA.id, text: 'only you' });
    const all = [...posted, ephemeral.message_ts];

    expect(new Set(all).size).toBe(4);
    expect([...all].sort()).toEqual(all);
  });

  it('answers users.info from its users and user_not_found otherwise', async () => {
    fake.addUser({ id: 'U0BOB00001', name: 'bob', real_name: 'Bob B', tz: 'America/New_York', tz_offset: -18000 });

    const ada = await client.users.info({ user: ADA.id });
    const bob = await client.users.info({ user: 'U0BOB00001' });

    expect(ada.user).toMatchObject({ id: ADA.id, tz: 'Europe/London', tz_offset: 0, profile: { real_name: 'Ada Lovelace' } });
    expect(ada.user?.tz_label).toMatch(/Time$/);
    expect(bob.user).toMatchObject({ tz: 'America/New_York', tz_offset: -18000, profile: { display_name: 'bob' } });
    expect(await slackError(client.users.info({ user: 'U0NOBODY00' }))).toBe('user_not_found');
  });

  it('rate-limits with 429 and Retry-After; WebClient waits and retries', async () => {
    const retrying = new WebClient('xoxb-test', {
      slackApiUrl: fake.url,
      logLevel: LogLevel.ERROR,
      retryConfig: { retries: 2, factor: 1, minTimeout: 10, maxTimeout: 50 },
      rejectRateLimitedCalls: false,
    });
    fake.failNext('chat.postMessage', { status: 429, retryAfter: 1 });

    const started = Date.now();
    const result = await retrying.chat.postMessage({ channel: 'C1', text: 'hello' });

    expect(result.ok).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(fake.callsTo('chat.postMessage')).toHaveLength(2);
  });

  it('fails with a platform error the given number of times, and with HTTP 500', async () => {
    fake.failNext('chat.update', { error: 'channel_not_found' }, 2);
    fake.failNext('chat.delete', { status: 500 });

    expect(await slackError(client.chat.update({ channel: 'C1', ts: '1.2', text: 'x' }))).toBe('channel_not_found');
    expect(await slackError(client.chat.update({ channel: 'C1', ts: '1.2', text: 'x' }))).toBe('channel_not_found');
    expect(await client.chat.update({ channel: 'C1', ts: '1.2', text: 'x' })).toMatchObject({ ok: true, ts: '1.2', text: 'x' });
    expect(await slackError(client.chat.delete({ channel: 'C1', ts: '1.2' }))).toBe(webApi.ErrorCode.HTTPError);
    expect(fake.calls.map((call) => call.method)).toEqual(['chat.update', 'chat.update', 'chat.update', 'chat.delete']);
  });

  it('fails only the calls a predicate picks, leaving the others (and the queue order) alone', async () => {
    fake.failNext('chat.postMessage', { error: 'is_archived' }, 1, (args) => args.channel === 'C0ARCHIVE');
    expect(await client.chat.postMessage({ channel: 'C0OTHER', text: 'x' })).toMatchObject({ ok: true });
    expect(await slackError(client.chat.postMessage({ channel: 'C0ARCHIVE', text: 'x' }))).toBe('is_archived');
    expect(await client.chat.postMessage({ channel: 'C0ARCHIVE', text: 'x' })).toMatchObject({ ok: true });
    expect(fake.callsTo('chat.postMessage').map((c) => c.error ?? 'ok')).toEqual(['ok', 'is_archived', 'ok']);
  });

  it('sends the token\'s scopes, and refuses what needs a scope the token lacks, as Slack does', async () => {
    const answer = await client.users.info({ user: ADA.id });
    expect(answer.response_metadata?.scopes).toEqual([...FAKE_SLACK_SCOPES]);
    expect(answer.user?.profile).toMatchObject({ real_name: 'Ada Lovelace', image_72: expect.stringMatching(/^https:\/\/.+_72\.png$/) });
    // Without chat:write.customize, a post may not choose its author's name or avatar.
    const customized = client.chat.postMessage({ channel: 'C1', text: 'x', username: 'Ada', icon_url: 'https://x.test/a.png' });
    const refusal = await customized.catch((e: { data?: Record<string, unknown> }) => e.data);
    expect(refusal).toMatchObject({ ok: false, error: 'missing_scope', needed: 'chat:write.customize' });
    fake.setScopes([...FAKE_SLACK_SCOPES, 'chat:write.customize']);
    try {
      expect(await client.chat.postMessage({ channel: 'C1', text: 'x', username: 'Ada', icon_url: 'https://x.test/a.png' })).toMatchObject({ ok: true });
      fake.setScopes(['chat:write']);
      expect(await slackError(client.users.info({ user: ADA.id }))).toBe('missing_scope');
    } finally {
      fake.setScopes(FAKE_SLACK_SCOPES);
    }
  });

  it('answers not_authed without a token and unknown_method for other methods, recording both', async () => {
    const anonymous = new WebClient(undefined, { slackApiUrl: fake.url, logLevel: LogLevel.ERROR, retryConfig: { retries: 0 } });

    expect(await slackError(anonymous.chat.postMessage({ channel: 'C1', text: 'hi' }))).toBe('not_authed');
    expect(await slackError(client.apiCall('tickets.teleport', { to: 'mars' }))).toBe('unknown_method');
    expect(fake.calls).toMatchObject([
      { method: 'chat.postMessage', token: undefined },
      { method: 'tickets.teleport', token: 'xoxb-test', args: { to: 'mars' } },
    ]);
  });

  it('takes JSON bodies with a bearer token and form bodies with the token inside', async () => {
    const blocks = [{ type: 'divider' }];
    const json = await fetch(`${fake.url}chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', authorization: 'Bearer xoxb-json' },
      body: JSON.stringify({ channel: ADA.id, text: 'dm', blocks, unfurl_links: false }),
    });
    const form = await fetch(`${fake.url}reactions.add`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: 'xoxb-form', channel: 'C1', timestamp: '1.2', name: 'eyes' }),
    });

    expect(await json.json()).toMatchObject({ ok: true, channel: `D${ADA.id}` });
    expect(await form.json()).toEqual({ ok: true });
    expect(fake.calls).toMatchObject([
      { token: 'xoxb-json', args: { blocks, unfurl_links: false } },
      { token: 'xoxb-form', args: { name: 'eyes' } },
    ]);
  });

  it('answers views, conversations and permalinks like Slack', async () => {
    const view = { type: 'modal' as const, callback_id: 'new_ticket', title: { type: 'plain_text' as const, text: 'New' }, blocks: [] };
    const opened = await client.views.open({ trigger_id: '123.456.abc', view });
    const updated = await client.views.update({ view_id: opened.view?.id ?? '', view: { ...view, private_metadata: 'x' } });
    const dm = await client.conversations.open({ users: ADA.id });
    const info = await client.conversations.info({ channel: 'C0HELPDESK' });
    const link = await client.chat.getPermalink({ channel: 'C0HELPDESK', message_ts: '1700000000.000100' });

    expect(opened.view).toMatchObject({ id: expect.stringMatching(/^V/), callback_id: 'new_ticket', title: view.title });
    expect(updated.view).toMatchObject({ id: opened.view?.id, private_metadata: 'x' });
    expect(fake.callsTo('views.open')[0]?.args.view).toEqual(view);
    expect(dm.channel?.id).toBe(`D${ADA.id}`);
    expect(info.channel).toMatchObject({ id: 'C0HELPDESK', is_channel: true });
    expect(link.permalink).toBe('https://fake-workspace.slack.com/archives/C0HELPDESK/p1700000000000100');
  });

  it('answers for private channels as Slack does: shown only to an app invited to them', async () => {
    fake.inviteTo('C0INVITED1');
    fake.keepOut('C0KEPTOUT1');
    await expect(client.conversations.join({ channel: 'C0INVITED1' })).rejects.toMatchObject({ data: { error: 'method_not_supported_for_channel_type' } });
    await expect(client.conversations.join({ channel: 'C0KEPTOUT1' })).rejects.toMatchObject({ data: { error: 'method_not_supported_for_channel_type' } });
    expect((await client.conversations.info({ channel: 'C0INVITED1' })).channel).toMatchObject({ is_private: true, is_member: true });
    await expect(client.conversations.info({ channel: 'C0KEPTOUT1' })).rejects.toMatchObject({ data: { error: 'channel_not_found' } });
    expect((await client.conversations.join({ channel: 'C0PUBLIC01' })).channel).toMatchObject({ id: 'C0PUBLIC01', is_member: true });
  });

  it('reads the messages people wrote: history (top level, newest first) and a thread (parent first), within bounds', async () => {
    const channel = 'C0HISTORY1';
    const first = fake.addMessage(channel, { user: ADA.id, text: 'first' });
    const parent = fake.addMessage(channel, { user: ADA.id, text: 'parent' });
    const reply = fake.addMessage(channel, { user: 'U0OTHER001', text: 'a reply', thread_ts: parent.ts });
    const later = fake.addMessage(channel, { user: ADA.id, text: 'later', thread_ts: parent.ts });
    const history = await client.conversations.history({ channel, latest: parent.ts, inclusive: true, limit: 1 });
    expect(history.messages).toEqual([{ type: 'message', team: FAKE_SLACK_DEFAULTS.teamId, ts: parent.ts, user: ADA.id, text: 'parent' }]);
    expect(history.has_more).toBe(true);
    // Not inclusive: the message at `latest` is left out; replies are never in the history.
    expect((await client.conversations.history({ channel, latest: parent.ts })).messages?.map((m) => m.text)).toEqual(['first']);
    expect((await client.conversations.history({ channel })).messages?.map((m) => m.ts)).toEqual([parent.ts, first.ts]);
    const thread = await client.conversations.replies({ channel, ts: reply.ts, oldest: reply.ts, latest: reply.ts, inclusive: true, limit: 2 });
    expect(thread.messages?.map((m) => m.text)).toEqual(['parent', 'a reply']);
    expect((await client.conversations.replies({ channel, ts: parent.ts })).messages?.map((m) => m.ts)).toEqual([parent.ts, reply.ts, later.ts]);
    expect(await slackError(client.conversations.replies({ channel, ts: '1.000001' }))).toBe('thread_not_found');
    // A conversation the app is not in cannot be read; a token without the history scope cannot read at all.
    fake.keepOut('G0SECRET01');
    expect(await slackError(client.conversations.history({ channel: 'G0SECRET01' }))).toBe('not_in_channel');
    fake.setScopes(['chat:write']);
    try {
      expect(await slackError(client.conversations.history({ channel }))).toBe('missing_scope');
    } finally {
      fake.setScopes(FAKE_SLACK_SCOPES);
    }
  });

  it('answers auth.test for the bot, with the enterprise when configured', async () => {
    const grid = await startFakeSlack({ enterpriseId: 'E0GRID0001' });
    try {
      const gridClient = new WebClient('xoxb-test', { slackApiUrl: grid.url, logLevel: LogLevel.ERROR });
      expect(await client.auth.test()).toMatchObject({
        ok: true,
        team_id: FAKE_SLACK_DEFAULTS.teamId,
        user_id: FAKE_SLACK_DEFAULTS.botUserId,
        bot_id: FAKE_SLACK_DEFAULTS.botId,
      });
      expect(await gridClient.auth.test()).toMatchObject({ ok: true, enterprise_id: 'E0GRID0001' });
    } finally {
      await grid.close();
    }
  });

  it('records posts to a response_url', async () => {
    const response = await fetch(fake.responseUrl('cmd-1'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'Ticket created', response_type: 'ephemeral' }),
    });

    expect(response.status).toBe(200);
    expect(fake.calls).toMatchObject([
      { method: 'response_url', responseId: 'cmd-1', args: { text: 'Ticket created', response_type: 'ephemeral' } },
    ]);
  });

  it('refuses blocks Slack refuses with invalid_blocks, its errors and messages, recording why', async () => {
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(3001) } }];
    const refused = client.chat.postMessage({ channel: 'C1', text: 'too long', blocks });
    const error = await refused.catch((e: { data?: Record<string, unknown> }) => e.data);

    expect(error).toEqual({
      ok: false,
      error: 'invalid_blocks',
      errors: ['must be less than 3001 characters [json-pointer:/blocks/0/text/text]'],
      // The token's scopes ride along on every answer (Slack's x-oauth-scopes header, read by the client).
      response_metadata: { messages: ['[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]'], scopes: [...FAKE_SLACK_SCOPES] },
    });
    expect(fake.callsTo('chat.postMessage')[0]).toMatchObject({ error: 'invalid_blocks', refused: [expect.stringContaining('/blocks/0/text/text')] });
    // At the limit, the same message goes through and is not marked.
    blocks[0]!.text.text = 'x'.repeat(3000);
    expect(await client.chat.postMessage({ channel: 'C1', text: 'fits', blocks })).toMatchObject({ ok: true });
    expect(fake.callsTo('chat.postMessage')[1]).not.toHaveProperty('refused');
  });

  it('checks chat.update and chat.postEphemeral like chat.postMessage', async () => {
    const header = [{ type: 'header', text: { type: 'mrkdwn', text: 'not plain' } }];
    expect(await slackError(client.chat.update({ channel: 'C1', ts: '1.2', text: 'x', blocks: header as never }))).toBe('invalid_blocks');
    expect(await slackError(client.chat.postEphemeral({ channel: 'C1', user: ADA.id, text: 'x', blocks: header as never }))).toBe('invalid_blocks');
    expect(await slackError(client.chat.postEphemeral({ channel: 'C1', user: ADA.id, text: '', blocks: [{ type: 'divider' }] }))).toBe('invalid_arguments');
    expect(await slackError(client.chat.postMessage({ channel: 'C1', text: 'x'.repeat(40_001) }))).toBe('msg_too_long');
    const big = Array.from({ length: 5 }, () => ({ type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(2500) } }));
    expect(await slackError(client.chat.postMessage({ channel: 'C1', text: 'digest', blocks: big }))).toBe('msg_blocks_too_long');
    expect(fake.calls.every((call) => call.error !== undefined)).toBe(true);
  });

  it('refuses a view Slack refuses with invalid_arguments: views.open, update, push and publish', async () => {
    const form = (maxLength: number) => ({
      type: 'modal' as const,
      title: { type: 'plain_text' as const, text: 'New ticket' },
      submit: { type: 'plain_text' as const, text: 'Create' },
      blocks: [{ type: 'input' as const, label: { type: 'plain_text' as const, text: 'Description' }, element: { type: 'plain_text_input' as const, action_id: 'v', max_length: maxLength } }],
    });
    expect(await slackError(client.views.open({ trigger_id: '1.2.a', view: form(5000) }))).toBe('invalid_arguments');
    expect(await slackError(client.views.update({ view_id: 'V1', view: form(5000) }))).toBe('invalid_arguments');
    expect(await slackError(client.views.push({ trigger_id: '1.2.a', view: form(0) }))).toBe('invalid_arguments');
    const home = { type: 'home' as const, blocks: Array.from({ length: 101 }, () => ({ type: 'divider' as const })) };
    expect(await slackError(client.views.publish({ user_id: ADA.id, view: home }))).toBe('invalid_arguments');
    expect(await client.views.open({ trigger_id: '1.2.a', view: form(3000) })).toMatchObject({ ok: true });
  });

  it('publishes Home tabs per user, keeping the latest, and refuses a modal published or a Home opened', async () => {
    const home = (text: string) => ({ type: 'home' as const, private_metadata: text, blocks: [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text } }] });
    const first = await client.views.publish({ user_id: ADA.id, view: home('one') });
    const second = await client.views.publish({ user_id: ADA.id, view: home('two') });
    // One Home per user: the same view, its content replaced.
    expect(second.view?.id).toBe(first.view?.id);
    expect(fake.homeOf(ADA.id)).toMatchObject({ type: 'home', private_metadata: 'two' });
    expect(fake.homeOf('U0NOBODY')).toBeUndefined();
    const modal = { type: 'modal' as const, title: { type: 'plain_text' as const, text: 'Hi' }, blocks: [] };
    expect(await slackError(client.views.publish({ user_id: ADA.id, view: modal }))).toBe('invalid_arguments');
    expect(await slackError(client.views.publish({ view: home('no user') } as never))).toBe('invalid_arguments');
    expect(await slackError(client.views.open({ trigger_id: '1.2.a', view: home('no') as never }))).toBe('invalid_arguments');
    expect(fake.homeOf(ADA.id)).toMatchObject({ private_metadata: 'two' });
  });

  it('answers views.update of an unknown view with not_found, and of a stale hash with hash_conflict', async () => {
    const view = { type: 'modal' as const, title: { type: 'plain_text' as const, text: 'Hours' }, blocks: [] };
    const opened = await client.views.open({ trigger_id: '1.2.a', view });
    const first = await client.views.update({ view_id: opened.view!.id!, hash: opened.view!.hash!, view });
    expect(first.view?.hash).not.toBe(opened.view?.hash);
    // The hash the first update started from is stale now: Slack refuses to apply an update over a newer view.
    expect(await slackError(client.views.update({ view_id: opened.view!.id!, hash: opened.view!.hash!, view }))).toBe('hash_conflict');
    expect(await client.views.update({ view_id: opened.view!.id!, hash: first.view!.hash!, view })).toMatchObject({ ok: true });
    expect(await client.views.update({ view_id: opened.view!.id!, view })).toMatchObject({ ok: true });
    expect(await slackError(client.views.update({ view_id: 'V0NEVEROPENED', view }))).toBe('not_found');
  });

  it('refuses number inputs and dispatch configurations Slack refuses', async () => {
    const modal = (element: Record<string, unknown>, input: Record<string, unknown> = {}) => ({
      type: 'modal' as const,
      title: { type: 'plain_text' as const, text: 'Targets' },
      submit: { type: 'plain_text' as const, text: 'Save' },
      blocks: [{ type: 'input', block_id: 'b', label: { type: 'plain_text', text: 'Minutes' }, element: { action_id: 'v', ...element }, ...input }],
    });
    const open = (element: Record<string, unknown>, input?: Record<string, unknown>) => client.views.open({ trigger_id: '1.2.a', view: modal(element, input) as never });
    expect(await slackError(open({ type: 'number_input' }))).toBe('invalid_arguments');
    expect(await slackError(open({ type: 'number_input', is_decimal_allowed: false, initial_value: '1.5' }))).toBe('invalid_arguments');
    expect(await slackError(open({ type: 'number_input', is_decimal_allowed: true, min_value: '5', max_value: '1' }))).toBe('invalid_arguments');
    expect(await slackError(open({ type: 'number_input', is_decimal_allowed: false, initial_value: 'thirty' }))).toBe('invalid_arguments');
    expect(await slackError(open({ type: 'plain_text_input', dispatch_action_config: { trigger_actions_on: ['on_blur'] } }, { dispatch_action: true }))).toBe('invalid_arguments');
    expect(await slackError(open({ type: 'plain_text_input', dispatch_action_config: { trigger_actions_on: [] } }))).toBe('invalid_arguments');
    expect(await slackError(open({ type: 'plain_text_input' }, { dispatch_action: 'yes' }))).toBe('invalid_arguments');
    expect(fake.calls.every((call) => call.refused !== undefined)).toBe(true);

    expect(await open({ type: 'number_input', is_decimal_allowed: false, initial_value: '30', min_value: '1' })).toMatchObject({ ok: true });
    expect(await open({ type: 'plain_text_input', dispatch_action_config: { trigger_actions_on: ['on_enter_pressed', 'on_character_entered'] } }, { dispatch_action: true })).toMatchObject({ ok: true });
  });

  it('refuses a lone surrogate (invalid UTF-8 once sent) in text and blocks', async () => {
    const post = (body: Record<string, unknown>) =>
      fetch(`${fake.url}chat.postMessage`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer xoxb-json' },
        body: JSON.stringify({ channel: 'C1', ...body }),
      }).then((r) => r.json() as Promise<Record<string, unknown>>);
    const cut = '😀'.slice(0, 1);

    expect(await post({ text: `half ${cut}` })).toMatchObject({ ok: false, error: 'invalid_arguments' });
    expect(await post({ text: 'ok', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `half ${cut}` } }] })).toMatchObject({ ok: false, error: 'invalid_arguments' });
    expect(await post({ text: 'whole 😀' })).toMatchObject({ ok: true });
  });

  it('refuses a response_url post with bad blocks with HTTP 400, like an incoming webhook', async () => {
    const respond = (body: Record<string, unknown>) =>
      fetch(fake.responseUrl('cmd-2'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const bad = await respond({ text: 'x', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '' } }] });
    const noText = await respond({ response_type: 'ephemeral' });
    const good = await respond({ text: 'x', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'fine' } }] });

    expect([bad.status, await bad.text()]).toEqual([400, 'invalid_blocks']);
    expect([noText.status, await noText.text()]).toEqual([400, 'no_text']);
    expect(good.status).toBe(200);
    expect(fake.callsTo('response_url').map((call) => call.error)).toEqual(['invalid_blocks', 'no_text', undefined]);
  });

  it('delays answers by latencyMs, and close() still sends the answers in flight', async () => {
    const slow = await startFakeSlack({ latencyMs: 150 });
    const slowClient = new WebClient('xoxb-test', { slackApiUrl: slow.url, logLevel: LogLevel.ERROR, retryConfig: { retries: 0 } });
    const started = Date.now();

    const answer = slowClient.auth.test();
    await slow.waitFor('auth.test');
    await slow.close();

    await expect(answer).resolves.toMatchObject({ ok: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('counts calls, and with retainCalls: false only counts them and shows them to waiters', async () => {
    const before = fake.count('chat.postMessage');
    await client.chat.postMessage({ channel: 'C1', text: 'counted' });
    expect(fake.count('chat.postMessage')).toBe(before + 1);

    const lean = await startFakeSlack({ retainCalls: false });
    try {
      const leanClient = new WebClient('xoxb-test', { slackApiUrl: lean.url, logLevel: LogLevel.ERROR, retryConfig: { retries: 0 } });
      const seen = lean.waitFor('chat.postMessage', (call) => call.args.text === 'two');
      await leanClient.chat.postMessage({ channel: 'C1', text: 'one' });
      await leanClient.chat.postMessage({ channel: 'C1', text: 'two' });
      await expect(seen).resolves.toMatchObject({ args: { channel: 'C1', text: 'two' } });
      expect(lean.count('chat.postMessage')).toBe(2);
      expect(lean.calls).toEqual([]);
      expect(lean.callsTo('chat.postMessage')).toEqual([]);
      lean.reset();
      expect(lean.count('chat.postMessage')).toBe(0);
    } finally {
      await lean.close();
    }
  });

  it('waitFor resolves on a later call and rejects on timeout', async () => {
    const waiting = fake.waitFor('chat.postMessage', (call) => call.args.text === 'second');
    await client.chat.postMessage({ channel: 'C1', text: 'first' });
    await client.chat.postMessage({ channel: 'C1', text: 'second' });

    await expect(waiting).resolves.toMatchObject({ args: { text: 'second' } });
    await expect(fake.waitFor('chat.postMessage', (call) => call.args.text === 'first')).resolves.toBeDefined();
    await expect(fake.waitFor('views.open', undefined, 50)).rejects.toThrow(/no matching views\.open call within 50 ms/);
  });
});

describe('a real Bolt app against the fake, driven by signed requests', () => {
  const SIGNING_SECRET = 'test-secret';
  let fake: FakeSlack;
  let server: Server;
  let slack: SlackSender;
  let eventsUrl: string;

  beforeAll(async () => {
    // Start the fake first: with tokenVerificationEnabled (the default) Bolt calls auth.test in the App constructor.
    fake = await startFakeSlack();
    const receiver = new ExpressReceiver({ signingSecret: SIGNING_SECRET, logLevel: LogLevel.ERROR });
    // retries: 0, or a call cut off by a failing test keeps retrying (Bolt's default: 10 retries over ~30 minutes).
    const app = new App({
      token: 'xoxb-test',
      receiver,
      clientOptions: { slackApiUrl: fake.url, retryConfig: { retries: 0 } },
      logLevel: LogLevel.ERROR,
    });

    app.command('/ticket', async ({ ack, client, body }) => {
      await ack();
      await client.views.open({
        trigger_id: body.trigger_id,
        view: { type: 'modal', callback_id: 'new_ticket', title: { type: 'plain_text', text: 'New ticket' }, blocks: [] },
      });
    });
    app.view('new_ticket', async ({ ack, view, client, body }) => {
      const subject = view.state.values.subject?.input?.value ?? '';
      if (subject === '') {
        await ack({ response_action: 'errors', errors: { subject: 'Required' } });
        return;
      }
      await ack();
      await client.chat.postMessage({ channel: body.user.id, text: `Created: ${subject} (${view.private_metadata})` });
    });
    app.action('claim', async ({ ack, respond, body }) => {
      await ack();
      await respond({ text: `Claimed by <@${body.user.id}>`, replace_original: false });
    });
    app.shortcut('ticket_from_message', async ({ ack, client, shortcut }) => {
      await ack();
      await client.views.open({
        trigger_id: shortcut.trigger_id,
        view: { type: 'modal', callback_id: 'from_message', title: { type: 'plain_text', text: 'From message' }, blocks: [] },
      });
    });
    app.event('app_mention', async ({ event, client, context }) => {
      await client.chat.postMessage({ channel: event.channel, text: `retry ${context.retryNum ?? 'none'}: ${event.text}` });
    });

    // No app.start(): the receiver's Express app listens on an ephemeral port.
    server = receiver.app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    eventsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
    slack = createSlackSender({ url: eventsUrl, signingSecret: SIGNING_SECRET, responseUrl: fake.responseUrl });
  });

  afterAll(async () => {
    const closed = new Promise((resolve) => server.close(resolve));
    server.closeAllConnections();
    await closed;
    await fake.close();
  });

  it('acks a signed slash command and opens the modal with its trigger id', async () => {
    const response = await slack.slashCommand({
      command: '/ticket',
      text: 'printer on fire',
      userId: 'U0ADA00001',
      teamId: FAKE_SLACK_DEFAULTS.teamId,
      channelId: 'C0HELPDESK',
      triggerId: 'trigger-1',
    });

    expect(response.status).toBe(200);
    const call = await fake.waitFor('views.open', (c) => c.args.trigger_id === 'trigger-1');
    expect(call).toMatchObject({ token: 'xoxb-test', args: { view: { callback_id: 'new_ticket' } } });
    expect(fake.callsTo('auth.test').length).toBeGreaterThanOrEqual(1);
  });

  it('rejects a bad signature and a stale timestamp with 401', async () => {
    const body = new URLSearchParams({ command: '/ticket', text: 'x' }).toString();
    const contentType = 'application/x-www-form-urlencoded';
    const stale = Math.floor(Date.now() / 1000) - 600;

    const forged = await slack.raw({ body, contentType, signature: signSlackRequest('wrong-secret', Math.floor(Date.now() / 1000), body) });
    const old = await slack.raw({ body, contentType, timestamp: stale });

    expect(forged.status).toBe(401);
    expect(old.status).toBe(401);
  });

  it('answers 400 for a form body whose content type has a charset (Bolt matches it exactly)', async () => {
    const body = new URLSearchParams({ command: '/ticket', text: 'x' }).toString();
    const response = await slack.raw({ body, contentType: 'application/x-www-form-urlencoded; charset=utf-8' });

    expect(response.status).toBe(400);
  });

  it('delivers view submissions with their state, and returns response_action errors as JSON', async () => {
    const submit = (subject: string) =>
      slack.viewSubmission({
        userId: 'U0ADA00001',
        teamId: FAKE_SLACK_DEFAULTS.teamId,
        view: {
          callback_id: 'new_ticket',
          private_metadata: 'C0HELPDESK',
          state: { values: { subject: { input: { type: 'plain_text_input', value: subject } } } },
        },
      });

    const invalid = await submit('');
    const valid = await submit('Printer on fire');

    expect(invalid).toMatchObject({ status: 200, body: { response_action: 'errors', errors: { subject: 'Required' } } });
    expect(valid).toMatchObject({ status: 200, body: '' });
    await fake.waitFor('chat.postMessage', (c) => c.args.text === 'Created: Printer on fire (C0HELPDESK)');
  });

  it('delivers block actions whose respond() posts to the response_url', async () => {
    const response = await slack.blockActions({
      userId: 'U0ADA00001',
      teamId: FAKE_SLACK_DEFAULTS.teamId,
      channelId: 'C0HELPDESK',
      messageTs: '1700000000.000100',
      actions: [{ action_id: 'claim', value: 'ticket-42' }],
      responseUrl: fake.responseUrl('claim-1'),
    });

    expect(response.status).toBe(200);
    const call = await fake.waitFor('response_url', (c) => c.responseId === 'claim-1');
    expect(call.args).toEqual({ text: 'Claimed by <@U0ADA00001>', replace_original: false });
  });

  it('delivers message shortcuts', async () => {
    const response = await slack.messageShortcut({
      callbackId: 'ticket_from_message',
      userId: 'U0ADA00001',
      teamId: FAKE_SLACK_DEFAULTS.teamId,
      channelId: 'C0GENERAL1',
      message: { ts: '1700000000.000200', text: 'VPN is down', user: 'U0BOB00001' },
      triggerId: 'trigger-shortcut',
    });

    expect(response.status).toBe(200);
    await fake.waitFor('views.open', (c) => c.args.trigger_id === 'trigger-shortcut');
  });

  it('delivers events as JSON, with the retry number', async () => {
    const response = await slack.event({
      teamId: FAKE_SLACK_DEFAULTS.teamId,
      event: { type: 'app_mention', user: 'U0ADA00001', text: 'help', ts: '1700000000.000300', channel: 'C0GENERAL1' },
      retryNum: 1,
    });

    expect(response.status).toBe(200);
    await fake.waitFor('chat.postMessage', (c) => c.args.text === 'retry 1: help');
  });
});
