import { webApi } from '@slack/bolt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { recordHomeOpened } from '../../../src/domain/home.js';
import { upsertSlackPerson, type Person } from '../../../src/domain/people.js';
import { createLogger } from '../../../src/log.js';
import { createHomePublisher, type HomePublisherOptions } from '../../../src/slack/home/publisher.js';
import { describeEachDatabase, newTenantId } from '../../support/databases.js';
import { startFakeSlack, type FakeSlack } from '../../support/fake-slack.js';

const { WebClient } = webApi;

describeEachDatabase('the Home publisher', (ctx) => {
  let fake: FakeSlack;
  let client: InstanceType<typeof WebClient>;
  const problems: string[] = [];
  const log = createLogger('warn', (line) => problems.push(line));

  beforeAll(async () => {
    fake = await startFakeSlack();
    // As the app builds it for Homes: no retries, a 429 comes back at once with its Retry-After.
    client = new WebClient('xoxb-test', { slackApiUrl: fake.url, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, logger: { debug() {}, info() {}, warn() {}, error() {}, setLevel() {}, getLevel: () => 'error' as never, setName() {} } });
  });
  afterAll(async () => {
    await fake?.close();
  });

  const publisher = (options: Partial<HomePublisherOptions> = {}) => createHomePublisher({ db: ctx.db, client, log, now: () => new Date(), ...options });

  async function people(count: number, openedMinutesAgo: number | null = 1) {
    const tenantId = newTenantId();
    const list: Person[] = [];
    for (let i = 0; i < count; i += 1) {
      const person = await upsertSlackPerson(ctx.db, tenantId, { slackUserId: `UPUB${tenantId.slice(1, 7)}${i}` }, new Date());
      if (openedMinutesAgo !== null) await recordHomeOpened(ctx.db, tenantId, person.id, new Date(Date.now() - openedMinutesAgo * 60_000));
      list.push(person);
    }
    return { tenantId, people: list };
  }
  const publishesFor = (people: Person[], since: number) => fake.calls.slice(since).filter((c) => c.method === 'views.publish' && people.some((p) => p.slackUserId === c.args.user_id));

  it('gathers a burst of changes into one publish per person, after the debounce', async () => {
    const { tenantId, people: [ann] } = await people(1);
    const home = publisher({ debounceMs: 200 });
    const mark = fake.calls.length;
    const started = Date.now();
    for (let i = 0; i < 5; i += 1) home.refresh(tenantId, [ann!.id]);
    await home.idle();
    const calls = publishesFor([ann!], mark);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.at.getTime() - started).toBeGreaterThanOrEqual(190);
    expect(fake.homeOf(ann!.slackUserId!)?.type).toBe('home');
  });

  it('gathers the changes heard while it looks up whose Home they concern: every person concerned, each once', async () => {
    const { tenantId, people: [ann, bob, cid] } = await people(3);
    const other = await people(1);
    const home = publisher({ debounceMs: 50 });
    const mark = fake.calls.length;
    // The first change starts a lookup; the next ones, heard meanwhile, are gathered into one more.
    home.refresh(tenantId, [ann!.id]);
    home.refresh(tenantId, [bob!.id]);
    home.refresh(other.tenantId, [other.people[0]!.id]);
    home.refresh(tenantId, [cid!.id, bob!.id]);
    await home.idle();
    for (const person of [ann!, bob!, cid!, other.people[0]!]) expect(publishesFor([person], mark), person.slackUserId!).toHaveLength(1);
  });

  it('leaves alone people who never opened Home, or not in the last day', async () => {
    const never = await people(1, null);
    const longAgo = await people(1, 25 * 60);
    const home = publisher({ debounceMs: 5 });
    const mark = fake.calls.length;
    home.refresh(never.tenantId, never.people.map((p) => p.id));
    home.refresh(longAgo.tenantId, longAgo.people.map((p) => p.id));
    await home.idle();
    expect(publishesFor([...never.people, ...longAgo.people], mark)).toEqual([]);
  });

  it('waits out a 429 Retry-After, then publishes the Home again', async () => {
    const { tenantId, people: [ann] } = await people(1);
    const home = publisher({ debounceMs: 5 });
    fake.failNext('views.publish', { status: 429, retryAfter: 1 }, 1, (args) => args.user_id === ann!.slackUserId);
    const mark = fake.calls.length;
    problems.length = 0;
    home.refresh(tenantId, [ann!.id]);
    await home.idle();
    const calls = publishesFor([ann!], mark);
    expect(calls.map((c) => c.error ?? 'ok')).toEqual(['ratelimited', 'ok']);
    expect(calls[1]!.at.getTime() - calls[0]!.at.getTime()).toBeGreaterThanOrEqual(950);
    expect(problems.filter((p) => p.includes('rate limited'))).toHaveLength(1);
  });

  it('paces publishes across people under the per-minute limit', async () => {
    const { tenantId, people: two } = await people(2);
    // One at once, then one every two seconds.
    const home = publisher({ debounceMs: 5, perMinute: 30, burst: 1 });
    const mark = fake.calls.length;
    home.refresh(tenantId, two.map((p) => p.id));
    await home.idle();
    const times = publishesFor(two, mark).map((c) => c.at.getTime()).sort((a, b) => a - b);
    expect(times).toHaveLength(2);
    // Unpaced, the second would follow the first by the time one Home takes to build.
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(1_500);
  });

  it('publishes a Home someone opens at once, ahead of refreshes the pace holds back', async () => {
    const { tenantId, people: [ann, bob, carl] } = await people(3);
    // One at once, then one every ten seconds.
    const home = publisher({ debounceMs: 5, perMinute: 6, burst: 1 });
    const mark = fake.calls.length;
    home.refresh(tenantId, [ann!.id]);
    await fake.waitFor('views.publish', (c) => c.args.user_id === ann!.slackUserId);
    home.refresh(tenantId, [bob!.id]); // waits ten seconds for its turn
    await new Promise((resolve) => setTimeout(resolve, 100));
    const opened = Date.now();
    home.show(tenantId, carl!.slackUserId!); // Carl opens Home
    home.show(tenantId, bob!.slackUserId!); // Bob opens Home while his refresh waits
    await home.idle();
    const took = (who: Person) => publishesFor([who], mark).map((c) => c.at.getTime() - opened);
    // Held by the pace, each would have waited ten seconds or more.
    expect(took(carl!)).toHaveLength(1);
    expect(took(carl!)[0]).toBeLessThan(2_000);
    // Bob's waiting refresh went at once and showed him the Home he opened: one publish, not two.
    expect(took(bob!)).toHaveLength(1);
    expect(took(bob!)[0]).toBeLessThan(2_000);
  });

  it('keeps refreshes at the pace after a burst of openings, not behind a debt they ran up', async () => {
    const { tenantId, people: list } = await people(6);
    const [ann, ...openers] = list;
    // One at once, then one a second.
    const home = publisher({ debounceMs: 5, perMinute: 60, burst: 1 });
    const mark = fake.calls.length;
    const opened = Date.now();
    for (const person of openers) home.show(tenantId, person.slackUserId!);
    home.refresh(tenantId, [ann!.id]);
    await home.idle();
    expect(publishesFor(openers, mark)).toHaveLength(5);
    const refreshed = publishesFor([ann!], mark).map((c) => c.at.getTime() - opened);
    expect(refreshed).toHaveLength(1);
    // Had the five openings each taken a token on credit, the refresh would wait five seconds.
    expect(refreshed[0]).toBeLessThan(3_000);
  });

  it('publishes what is waiting when stopped, without waiting out the debounce', async () => {
    const { tenantId, people: [ann] } = await people(1);
    const home = publisher({ debounceMs: 60_000 });
    const mark = fake.calls.length;
    home.refresh(tenantId, [ann!.id]);
    const started = Date.now();
    await home.stop();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(publishesFor([ann!], mark)).toHaveLength(1);
    home.refresh(tenantId, [ann!.id]);
    await home.idle();
    expect(publishesFor([ann!], mark)).toHaveLength(1);
  });
});
