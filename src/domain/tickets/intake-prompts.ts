import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { intakePrompts } from '../../db/schema/index.js';

/**
 * The prompts under people's messages in the app's DM ("Create a ticket from this?"). Claiming
 * the message's prompt before posting it makes a retried event delivery prompt once; the row is
 * what the prompt's buttons are checked against.
 */

export type IntakePrompt = typeof intakePrompts.$inferSelect;

export interface PromptKey {
  channelId: string;
  messageTs: string;
}

/** Claims the prompt of a message: true for the first claim, false when it was prompted already. */
export async function claimIntakePrompt(db: Db, tenantId: string, key: PromptKey & { authorId: string }, now: Date): Promise<boolean> {
  const inserted = await db
    .insert(intakePrompts)
    .values({ tenantId, channelId: key.channelId, messageTs: key.messageTs, authorId: key.authorId, createdAt: now })
    .onConflictDoNothing()
    .returning({ messageTs: intakePrompts.messageTs });
  return inserted.length > 0;
}

/** Records the posted prompt's ts. */
export async function setIntakePromptTs(db: Db, tenantId: string, key: PromptKey, promptTs: string): Promise<void> {
  await db.update(intakePrompts).set({ promptTs }).where(keyOf(tenantId, key));
}

/** Gives the claim back when the prompt could not be posted, so a redelivery can try again. */
export async function releaseIntakePrompt(db: Db, tenantId: string, key: PromptKey): Promise<void> {
  await db.delete(intakePrompts).where(keyOf(tenantId, key));
}

export async function findIntakePrompt(db: Db, tenantId: string, key: PromptKey): Promise<IntakePrompt | undefined> {
  const [row] = await db.select().from(intakePrompts).where(keyOf(tenantId, key));
  return row;
}

const keyOf = (tenantId: string, key: PromptKey) =>
  and(eq(intakePrompts.tenantId, tenantId), eq(intakePrompts.channelId, key.channelId), eq(intakePrompts.messageTs, key.messageTs));
