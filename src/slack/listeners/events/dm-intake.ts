import type { Context, webApi } from '@slack/bolt';
import { teamChoices } from '../../../domain/teams.js';
import { claimIntakePrompt, releaseIntakePrompt, setIntakePromptTs } from '../../../domain/tickets/intake-prompts.js';
import { intakePrompt } from '../../blocks/intake-prompt.js';
import { actingAs, tenantOf, type ListenerDeps } from '../shared.js';

/** The fields of a top-level `message` event this module reads. */
export interface TopLevelMessage {
  channel: string;
  channel_type?: string;
  subtype?: string;
  user?: string;
  bot_id?: string;
  text?: string;
  ts: string;
}

/**
 * A person's top-level message in the app's Messages tab (a DM with the app: `channel_type`
 * `im`) gets the prompt "Create a ticket from this?" as a reply in its thread: the DM is the
 * person's and the app's alone, so a plain message is private, and unlike an ephemeral one it
 * stays after a reload and can be updated with chat.update once answered. The prompt is claimed
 * in the database before it is posted, so a retried delivery prompts once; a message with no
 * text (a file alone) has nothing to make a title of, and is left alone.
 */
export async function promptDmIntake(deps: ListenerDeps, client: webApi.WebClient, context: Context, message: TopLevelMessage): Promise<void> {
  if (message.channel_type !== 'im') return;
  if (message.subtype !== undefined && message.subtype !== 'file_share') return;
  if (!message.user || message.bot_id !== undefined || message.user === context.botUserId) return;
  if (!message.text?.trim()) return;
  const tenantId = tenantOf(context);
  const { person, scope } = await actingAs(deps, tenantId, { id: message.user });
  const key = { channelId: message.channel, messageTs: message.ts };
  if (!(await claimIntakePrompt(deps.db, tenantId, { ...key, authorId: person.id }, scope.now))) return;
  try {
    const choices = await teamChoices(deps.db, tenantId);
    const posted = await client.chat.postMessage({
      channel: message.channel,
      thread_ts: message.ts,
      ...intakePrompt({ messageTs: message.ts, teams: choices.teams, defaultTeamId: choices.defaultTeamId }),
    });
    if (posted.ts) await setIntakePromptTs(deps.db, tenantId, key, posted.ts);
  } catch (error) {
    // Not posted: a redelivery of the event may try again.
    await releaseIntakePrompt(deps.db, tenantId, key).catch(() => {});
    throw error;
  }
}
