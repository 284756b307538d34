import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../support/databases.js';
import { type SlackHarness, startSlackHarness } from '../support/slack-harness.js';
import { signSlackRequest } from '../support/slack-requests.js';

describeEachDatabase('the Slack app over HTTP', (ctx) => {
  let h: SlackHarness;

  beforeAll(async () => {
    h = await startSlackHarness({ db: ctx.db });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('refuses unsigned, wrongly signed and stale requests, and survives malformed ones', async () => {
    const body = 'command=%2Fticket&text=&team_id=T1&user_id=U1&trigger_id=x';
    const form = 'application/x-www-form-urlencoded';
    expect((await h.sender.raw({ body, contentType: form, signature: 'v0=deadbeef' })).status).toBe(401);
    const stale = Math.floor(Date.now() / 1000) - 10 * 60;
    expect((await h.sender.raw({ body, contentType: form, timestamp: stale, signature: signSlackRequest('test-signing-secret', stale, body) })).status).toBe(401);
    const garbage = await h.sender.raw({ body: 'payload=%7Bnot-json', contentType: form });
    expect(garbage.status).toBeGreaterThanOrEqual(400);
    expect(garbage.status).toBeLessThan(500);
    const health = await fetch(`${h.baseUrl}/healthz`);
    expect(health.status).toBe(200);
  });
});
