import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { webApi } from '@slack/bolt';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSlackFetch } from '../../src/slack/transport.js';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.js';

describe('the Slack Web API transport (fetch over undici.request)', () => {
  let server: Server;
  let base: string;
  const transport = createSlackFetch();
  const seen: Array<{ method: string; url: string; headers: Record<string, unknown>; body: string }> = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
        if (req.url === '/api/limited') {
          res.writeHead(429, { 'retry-after': '7', 'content-type': 'application/json' }).end('{"ok":false,"error":"ratelimited"}');
        } else if (req.url === '/api/moved') {
          res.writeHead(302, { location: '/elsewhere' }).end();
        } else if (req.url === '/api/empty') {
          res.writeHead(204).end();
        } else if (req.url === '/api/slow') {
          setTimeout(() => res.writeHead(200).end('{}'), 2_000);
        } else {
          res.setHeader('set-cookie', ['a=1', 'b=2']);
          res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'x-oauth-scopes': 'chat:write,commands' }).end('{"ok":true,"ts":"1.2"}');
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await transport.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('posts the body and headers as given and answers a standard Response', async () => {
    const res = await transport.fetch(`${base}/api/chat.update`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Bearer xoxb-1' },
      body: 'channel=C1&ts=1.2&text=h%C3%A9',
    });
    expect(res).toBeInstanceOf(Response);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('x-oauth-scopes')).toBe('chat:write,commands');
    expect(res.headers.get('set-cookie')).toBe('a=1, b=2');
    expect(res.ok).toBe(true);
    expect(res.bodyUsed).toBe(false);
    expect(await res.json()).toEqual({ ok: true, ts: '1.2' });
    expect(res.bodyUsed).toBe(true);
    await expect(res.text()).rejects.toThrow(TypeError);
    const again = await transport.fetch(`${base}/api/chat.update`, { method: 'POST', body: '' });
    expect(await again.text()).toBe('{"ok":true,"ts":"1.2"}');
    const bytes = await transport.fetch(`${base}/api/chat.update`, { method: 'POST', body: '' });
    expect(Buffer.from(await bytes.arrayBuffer()).toString('utf8')).toBe('{"ok":true,"ts":"1.2"}');
    const request = seen.at(-3)!;
    expect(request).toMatchObject({ method: 'POST', url: '/api/chat.update', body: 'channel=C1&ts=1.2&text=h%C3%A9' });
    expect(request.headers).toMatchObject({ authorization: 'Bearer xoxb-1', 'content-type': 'application/x-www-form-urlencoded' });
  });

  it('passes a 429 with its Retry-After through, does not follow redirects, and has no body on a 204', async () => {
    const limited = await transport.fetch(`${base}/api/limited`, { method: 'POST', body: 'x=1' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(limited.ok).toBe(false);
    expect(await limited.json()).toEqual({ ok: false, error: 'ratelimited' });
    const moved = await transport.fetch(`${base}/api/moved`, { method: 'POST', body: '' });
    expect(moved.status).toBe(302);
    expect(seen.some((r) => r.url === '/elsewhere')).toBe(false);
    const empty = await transport.fetch(`${base}/api/empty`, { method: 'POST', body: '' });
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
  });

  it('gives up when the signal aborts', async () => {
    const error = await transport.fetch(`${base}/api/slow`, { method: 'POST', body: '', signal: AbortSignal.timeout(100) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(['TimeoutError', 'AbortError']).toContain((error as Error).name);
  });
});

describe('messageUpdater: chat.update over the transport, every outcome but ok as the Web API client has it', () => {
  let fake: FakeSlack;
  const transport = createSlackFetch();
  const token = 'xoxb-updater-test';
  const message = {
    channel: 'C0CARDS',
    ts: '1700000000.000100',
    text: 'TKT-0042 · Printer on fire',
    blocks: [
      { type: 'header' as const, text: { type: 'plain_text' as const, text: 'TKT-0042 · Printer on fire & "smoking" 100%' } },
      { type: 'section' as const, text: { type: 'mrkdwn' as const, text: 'Claimed by <@U0ADA00001> · ünïcode ✓' } },
    ],
  };
  /** The client the updater falls back on: quick retries, so the 500 and 429 cases take no seconds. */
  const client = () =>
    new webApi.WebClient(token, { fetch: transport.fetch, slackApiUrl: fake.url, retryConfig: { retries: 1, factor: 1, minTimeout: 10, maxTimeout: 10 }, logLevel: webApi.LogLevel.ERROR });

  beforeAll(async () => {
    fake = await startFakeSlack();
  });
  beforeEach(() => fake.reset());
  afterAll(async () => {
    await transport.close();
    await fake.close();
  });

  it('updates the message with one request, sent as the Web API client sends it', async () => {
    const web = client();
    await transport.messageUpdater(web)(message);
    const [call, ...more] = fake.callsTo('chat.update');
    expect(more).toHaveLength(0);
    expect(call!.token).toBe(token);
    expect(call!.args).toEqual({ channel: message.channel, ts: message.ts, text: message.text, blocks: message.blocks });
    // The same message through the client itself arrives the same.
    await web.chat.update(message);
    expect(fake.callsTo('chat.update')[1]!.args).toEqual(call!.args);
  });

  it("throws the client's platform error on ok: false, and does not send it again", async () => {
    fake.failNext('chat.update', { error: 'message_not_found' });
    const error = await transport.messageUpdater(client())(message).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(webApi.WebAPIPlatformError);
    expect(error).toMatchObject({ code: webApi.ErrorCode.PlatformError, data: { ok: false, error: 'message_not_found' } });
    expect(fake.count('chat.update')).toBe(1);
  });

  it('hands a rate-limited or failed request to the client, which tries again', async () => {
    fake.failNext('chat.update', { status: 429, retryAfter: 1 });
    await transport.messageUpdater(client())(message);
    // Ours, answered 429; the client's, answered ok.
    expect(fake.count('chat.update')).toBe(2);

    fake.reset();
    fake.failNext('chat.update', { status: 500 }, 2);
    await transport.messageUpdater(client())(message);
    // Ours and the client's first answered 500; the client's retry answered ok.
    expect(fake.count('chat.update')).toBe(3);
    expect(fake.callsTo('chat.update').map((c) => c.args)).toEqual(Array.from({ length: 3 }, () => ({ ...message })));
  });

  it('fails as the client fails when Slack cannot be reached', async () => {
    const closed = await startFakeSlack();
    const url = closed.url;
    await closed.close();
    const web = new webApi.WebClient(token, { fetch: transport.fetch, slackApiUrl: url, retryConfig: { retries: 0 }, logLevel: webApi.LogLevel.ERROR });
    const error = await transport.messageUpdater(web)(message).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: webApi.ErrorCode.RequestError });
  });
});
