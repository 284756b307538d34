import { webApi } from '@slack/bolt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { createPermalinks } from '../../src/slack/permalinks.js';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.js';

let fake: FakeSlack;
beforeAll(async () => {
  fake = await startFakeSlack();
});
afterAll(async () => {
  await fake?.close();
});

const quiet = createLogger('error', () => {});

it('builds card links from the workspace url, matching what chat.getPermalink answers, with one auth.test', async () => {
  const client = new webApi.WebClient('xoxb-links', { slackApiUrl: fake.url, retryConfig: { retries: 0 } });
  const links = createPermalinks(client, quiet);
  fake.reset();
  const built = await links('C0CARDS', '1700000000.000100');
  const again = await links('C0CARDS', '1700000000.000200');
  const official = await client.chat.getPermalink({ channel: 'C0CARDS', message_ts: '1700000000.000100' });
  expect(built).toBe(official.permalink);
  expect(again).toMatch(/\/archives\/C0CARDS\/p1700000000000200$/);
  expect(fake.callsTo('auth.test')).toHaveLength(1);
  // Only the reference call above asked Slack for a permalink.
  expect(fake.callsTo('chat.getPermalink')).toHaveLength(1);
});

it('falls back to chat.getPermalink while auth.test fails, and asks auth.test again later', async () => {
  const client = new webApi.WebClient('xoxb-links', { slackApiUrl: fake.url, retryConfig: { retries: 0 } });
  const links = createPermalinks(client, quiet);
  fake.reset();
  fake.failNext('auth.test', { error: 'invalid_auth' });
  const viaApi = await links('C0CARDS', '1700000000.000300');
  expect(viaApi).toMatch(/\/archives\/C0CARDS\/p1700000000000300$/);
  expect(fake.callsTo('chat.getPermalink')).toHaveLength(1);
  await links('C0CARDS', '1700000000.000400');
  expect(fake.callsTo('auth.test')).toHaveLength(2);
  expect(fake.callsTo('chat.getPermalink')).toHaveLength(1);
});
