import { teamChoices, teamLabel } from '../../../domain/teams.js';
import { findIntakePrompt, type IntakePrompt } from '../../../domain/tickets/intake-prompts.js';
import { findTicketSource, raiseFromMessage } from '../../../domain/tickets/intake.js';
import { getTicket } from '../../../domain/tickets/queries.js';
import { errorMessage } from '../../blocks/card.js';
import { intakePromptAnswered } from '../../blocks/intake-prompt.js';
import { plainFromMrkdwn } from '../../blocks/text.js';
import { INTAKE_ACTION, INTAKE_BLOCK } from '../../ids.js';
import { answerRaised, readMessage } from '../events/reaction-added.js';
import { actingAs, ephemeral, tell, tenantOf, type ListenerDeps } from '../shared.js';
import type { ActionArgs } from './ticket-buttons.js';

/** Subtypes of a person's message that can be raised (as the reaction intake reads them). */
const PERSON_SUBTYPES = new Set([undefined, 'file_share']);

/**
 * The prompt the click came from, checked against what the app recorded when it posted it: in
 * this workspace (the installation's), in the DM the click came from, under the message the
 * button names, and prompted for the person who clicked. Ids in the payload are never trusted
 * alone: a forged click names a prompt that does not exist for this workspace, DM and person.
 */
async function promptOf(deps: ListenerDeps, args: ActionArgs) {
  const { action, body, context } = args;
  const messageTs = 'value' in action && typeof action.value === 'string' ? action.value : undefined;
  const channelId = body.channel?.id;
  const promptTs = body.container?.message_ts as string | undefined;
  if (!messageTs || !channelId || !promptTs) return undefined;
  const tenantId = tenantOf(context);
  const { person, scope } = await actingAs(deps, tenantId, body.user);
  const prompt = await findIntakePrompt(deps.db, tenantId, { channelId, messageTs });
  if (!prompt || prompt.authorId !== person.id) return { tenantId, scope, prompt: undefined, promptTs };
  return { tenantId, scope, prompt, promptTs };
}

const NOT_YOURS = 'This prompt is not one of yours, so nothing was created.';

/** What the message already is, when it is a ticket (a second click, another device): the prompt says so. */
async function alreadyRaised(deps: ListenerDeps, tenantId: string, prompt: IntakePrompt) {
  const source = await findTicketSource(deps.db, tenantId, prompt.channelId, prompt.messageTs);
  if (!source) return undefined;
  const ticket = await getTicket(deps.db, { tenantId }, source.ticketId, { includeDeleted: true });
  const team = ticket.teamId ? await teamLabel(deps.db, tenantId, ticket.teamId) : null;
  return intakePromptAnswered({ kind: 'exists', ticket, teamName: team?.name ?? null });
}

/** The team picked on the prompt; with no picker (one team), that team; else the default team. */
async function chosenTeam(deps: ListenerDeps, tenantId: string, args: ActionArgs): Promise<string | undefined> {
  const state = args.body.state?.values?.[INTAKE_BLOCK.team]?.[INTAKE_ACTION.team] as { selected_option?: { value?: unknown } | null } | undefined;
  const picked = state?.selected_option?.value;
  if (typeof picked === 'string' && picked !== '') return picked;
  const choices = await teamChoices(deps.db, tenantId);
  return choices.teams.length === 1 ? choices.teams[0]!.id : undefined;
}

/**
 * [Create] on the prompt: the message, read as it is now, is raised as a ticket of the chosen
 * team, via `dm`; its DM thread becomes the requester's side (so no separate "ticket created"
 * DM), where the app answers; the prompt says which ticket it made and loses its buttons. The
 * domain raises a message once: a second click answers with the ticket it already is.
 */
export function handleIntakeCreate(deps: ListenerDeps) {
  return async (args: ActionArgs): Promise<void> => {
    const { ack, client, respond, body } = args;
    await ack();
    let tenantId: string | undefined;
    try {
      const found = await promptOf(deps, args);
      if (!found) return;
      tenantId = found.tenantId;
      const { prompt, scope, promptTs } = found;
      if (!prompt) {
        await respond(ephemeral(errorMessage(NOT_YOURS))).catch(() => {});
        return;
      }
      const channel = prompt.channelId;
      const update = (message: { text: string; blocks: unknown[] }) => client.chat.update({ channel, ts: promptTs, text: message.text, blocks: message.blocks as never });
      const already = await alreadyRaised(deps, tenantId, prompt);
      if (already) return void (await update(already));
      const message = await readMessage(client, channel, prompt.messageTs);
      if (!message || message === 'unreadable' || !PERSON_SUBTYPES.has(message.subtype) || !message.text?.trim()) {
        await update(intakePromptAnswered({ kind: 'gone' }));
        return;
      }
      const teamId = await chosenTeam(deps, tenantId, args);
      const permalink = await client.chat
        .getPermalink({ channel, message_ts: prompt.messageTs })
        .then((r) => r.permalink)
        .catch(() => undefined);
      const outcome = await raiseFromMessage(
        deps.db,
        scope,
        { channelId: channel, messageTs: prompt.messageTs, threadTs: prompt.messageTs, authorId: prompt.authorId, text: plainFromMrkdwn(message.text), permalink, via: 'dm', teamId },
        { onChange: deps.onChange },
      );
      if (outcome.kind === 'exists') {
        const winner = await alreadyRaised(deps, tenantId, prompt);
        if (winner) await update(winner);
        return;
      }
      const team = outcome.ticket.teamId ? await teamLabel(deps.db, tenantId, outcome.ticket.teamId) : null;
      // The prompt first (it is what the person looks at), then the answer in the thread.
      await update(intakePromptAnswered({ kind: 'created', ticket: outcome.ticket, teamName: team?.name ?? null }));
      await answerRaised(deps, client, scope, outcome, { channel, threadTs: prompt.messageTs, requesterSlackId: body.user.id, raisedBySlackId: body.user.id });
    } catch (error) {
      await tell(deps, respond, error, 'create the ticket', tenantId);
    }
  };
}

/** [Not now]: nothing is created, and the prompt says so (or, if the message is a ticket after all, which one). */
export function handleIntakeDismiss(deps: ListenerDeps) {
  return async (args: ActionArgs): Promise<void> => {
    const { ack, client, respond } = args;
    await ack();
    let tenantId: string | undefined;
    try {
      const found = await promptOf(deps, args);
      if (!found) return;
      tenantId = found.tenantId;
      const { prompt, promptTs } = found;
      if (!prompt) {
        await respond(ephemeral(errorMessage('This prompt is not one of yours.'))).catch(() => {});
        return;
      }
      const answer = (await alreadyRaised(deps, tenantId, prompt)) ?? intakePromptAnswered({ kind: 'dismissed' });
      await client.chat.update({ channel: prompt.channelId, ts: promptTs, text: answer.text, blocks: answer.blocks as never });
    } catch (error) {
      await tell(deps, respond, error, 'dismiss the prompt', tenantId);
    }
  };
}

/** Picking a team on the prompt changes nothing yet: Create reads the choice from the click's state. */
export function handleIntakeTeamPicked() {
  return async ({ ack }: ActionArgs): Promise<void> => {
    await ack();
  };
}

/** The prompt's handlers, for the one block_actions dispatcher. */
export function intakeActionHandlers(deps: ListenerDeps): Record<string, (args: ActionArgs) => Promise<void>> {
  return {
    [INTAKE_ACTION.create]: handleIntakeCreate(deps),
    [INTAKE_ACTION.dismiss]: handleIntakeDismiss(deps),
    [INTAKE_ACTION.team]: handleIntakeTeamPicked(),
  };
}
