/** The prompt under a person's message in the app's DM, and what it becomes once answered. */
import { INTAKE_ACTION, INTAKE_BLOCK } from '../ids.js';
import { actions, button, option, plain, section, SLACK_LIMITS, type KnownBlock, type SlackMessage } from './elements.js';
import { ticketLine, userText, type TicketView } from './text.js';

export const PROMPT_QUESTION = 'Create a ticket from this?';

/**
 * "Create a ticket from this?" with the team it would go to: a picker of the workspace's teams
 * (the default one chosen) when there are several, a sentence naming it when there is one.
 * Create and Not now carry the message's ts.
 */
export function intakePrompt(input: { messageTs: string; teams: Array<{ id: string; name: string }>; defaultTeamId: string | null }): SlackMessage {
  const blocks: KnownBlock[] = [];
  const [only] = input.teams;
  if (input.teams.length > 1) {
    // A select holds 100 options: past that, the default team still is one of them.
    const shown = input.teams.slice(0, SLACK_LIMITS.selectOptions);
    const fallback = input.teams.find((t) => t.id === input.defaultTeamId);
    if (fallback && !shown.includes(fallback)) shown[shown.length - 1] = fallback;
    const options = shown.map((t) => option(t.name, t.id));
    const initial = options.find((o) => o.value === input.defaultTeamId);
    blocks.push({
      type: 'section',
      block_id: INTAKE_BLOCK.team,
      text: { type: 'mrkdwn', text: `:ticket: *${PROMPT_QUESTION}* Choose the team it goes to:` },
      accessory: {
        type: 'static_select',
        action_id: INTAKE_ACTION.team,
        placeholder: plain('Choose a team'),
        options,
        ...(initial ? { initial_option: initial } : {}),
      },
    });
  } else {
    const team = only ? ` It goes to *${userText(only.name, 200)}*.` : '';
    blocks.push(section(`:ticket: *${PROMPT_QUESTION}*${team}`));
  }
  blocks.push(
    actions([button('Create', INTAKE_ACTION.create, input.messageTs, 'primary'), button('Not now', INTAKE_ACTION.dismiss, input.messageTs)], INTAKE_BLOCK.buttons),
  );
  return { text: PROMPT_QUESTION, blocks };
}

/** The prompt once answered: no buttons left. */
export function intakePromptAnswered(
  answer: { kind: 'created' | 'exists'; ticket: Pick<TicketView, 'number' | 'title'>; teamName: string | null } | { kind: 'dismissed' } | { kind: 'gone' },
): SlackMessage {
  let text: string;
  switch (answer.kind) {
    case 'created': {
      const team = answer.teamName ? ` for *${userText(answer.teamName, 200)}*` : '';
      text = `:white_check_mark: Created ${ticketLine(answer.ticket)}${team}.`;
      break;
    }
    case 'exists':
      text = `:ticket: This message is already ${ticketLine(answer.ticket)}.`;
      break;
    case 'dismissed':
      text = 'OK, no ticket.';
      break;
    case 'gone':
      text = 'The message is gone, so no ticket was created.';
      break;
  }
  return { text, blocks: [section(text)] };
}
