import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { people } from '../db/schema/index.js';
import { newId, type IdFactory } from './ids.js';
import { assertStorableText, toStorableText } from './input.js';
import { ensureTenant } from './tenants.js';
import { BoundedCache } from './cache.js';

export type Person = typeof people.$inferSelect;

/** Matches the partial unique index `people_slack_user_uq`. */
const sqlSlackUserNotNull = sql`slack_user_id is not null`;

export interface SlackProfile {
  slackUserId: string;
  displayName?: string | null | undefined;
  email?: string | null | undefined;
  timezone?: string | null | undefined;
}

/** A Slack user becomes a person record on first contact; later contacts refresh the profile. */
export async function upsertSlackPerson(
  db: Db,
  tenantId: string,
  profile: SlackProfile,
  now: Date,
  ids: IdFactory = newId,
): Promise<Person> {
  // The id is matched, so it must be storable as is; the profile is only shown, so it is made so.
  assertStorableText(profile.slackUserId, ['slack_user_id']);
  profile = {
    ...profile,
    ...(profile.displayName ? { displayName: toStorableText(profile.displayName) } : {}),
    ...(profile.email ? { email: toStorableText(profile.email) } : {}),
    ...(profile.timezone ? { timezone: toStorableText(profile.timezone) } : {}),
  };
  await ensureTenant(db, tenantId, now);
  const refreshed = {
    ...(profile.displayName !== undefined ? { displayName: profile.displayName } : {}),
    ...(profile.email !== undefined ? { email: profile.email } : {}),
    ...(profile.timezone !== undefined ? { timezone: profile.timezone } : {}),
    updatedAt: now,
  };
  const [row] = await db
    .insert(people)
    .values({
      tenantId,
      id: ids('person'),
      slackUserId: profile.slackUserId,
      displayName: profile.displayName ?? null,
      email: profile.email ?? null,
      timezone: profile.timezone ?? null,
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoUpdate({
      target: [people.tenantId, people.slackUserId],
      targetWhere: sqlSlackUserNotNull,
      set: refreshed,
    })
    .returning();
  return row!;
}

export async function getPerson(db: Db, tenantId: string, id: string): Promise<Person | undefined> {
  const [row] = await db
    .select()
    .from(people)
    .where(and(eq(people.tenantId, tenantId), eq(people.id, id)));
  return row;
}

export async function getPeople(db: Db, tenantId: string, ids: string[]): Promise<Person[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(people)
    .where(and(eq(people.tenantId, tenantId), inArray(people.id, ids)));
}

const KNOWN_PEOPLE_MAX = 10_000;
const knownPeople = new WeakMap<Db, BoundedCache<string, Person>>();

/**
 * The person of a Slack user, created on first contact and remembered afterwards (per
 * database handle, most recent 10,000): a person's id never changes, so every click after
 * the first costs no database round trip. The Slack edge calls this on each interaction.
 */
export async function slackPerson(db: Db, tenantId: string, profile: SlackProfile, now: Date): Promise<Person> {
  let cache = knownPeople.get(db);
  if (!cache) {
    cache = new BoundedCache(KNOWN_PEOPLE_MAX);
    knownPeople.set(db, cache);
  }
  const key = `${tenantId}/${profile.slackUserId}`;
  const known = cache.get(key);
  if (known) return known;
  const person = await upsertSlackPerson(db, tenantId, profile, now);
  cache.set(key, person);
  return person;
}

/** A Slack user id (`U…`, or `W…` on Enterprise Grid), where a person id could also be given. */
export function isSlackUserId(ref: string): boolean {
  return /^[UW][A-Z0-9]{2,}$/.test(ref);
}

/**
 * The person a REST caller's token names in `sub`: a person id as is, or a Slack user id as
 * that user's person (created on first contact, like a Slack user's first click), so a token
 * minted for a Slack user acts with the same roles as the user does in Slack.
 */
export async function personOfSubject(db: Db, tenantId: string, sub: string, now: Date): Promise<string> {
  return isSlackUserId(sub) ? (await slackPerson(db, tenantId, { slackUserId: sub }, now)).id : sub;
}
