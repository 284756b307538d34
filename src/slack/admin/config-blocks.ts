/**
 * The admin modals for teams, settings and helpdesk admins, and reading them back. Pure
 * builders: the listeners load what they show and hand the values read back to the domain,
 * whose schema (the REST API's) decides what is valid.
 */
import type { types, ViewOutput } from '@slack/bolt';
import { COMMENT_VISIBILITIES, TICKET_PRIORITIES, TICKET_TYPES, type CommentVisibility, type TicketPriority, type TicketType } from '../../db/schema/index.js';
import { context, option, plain, section, SLACK_LIMITS, type KnownBlock, type PlainTextOption } from '../blocks/elements.js';
import { escapeMrkdwn, mention, PRIORITY_LABELS, truncate, TYPE_LABELS } from '../blocks/text.js';
import { ADMIN_CONFIG_BLOCK as B, ADMIN_CONFIG_CALLBACK, INPUT_ACTION } from '../ids.js';
import { REQUEST_CHANNELS_MAX } from '../../domain/teams.js';

type InputBlock = types.InputBlock;
type ModalView = types.ModalView;
type Values = ViewOutput['state']['values'];

/** The domain's longest team name (teamCreateSchema). */
export const TEAM_NAME_MAX = 80;

const REPLY_DEFAULT_LABELS: Record<CommentVisibility, string> = {
  public: 'Public: reaches the requester (start with note: to keep one internal)',
  internal: 'Internal: stays with the agents (reply: sends one to the requester)',
};

function input(blockId: string, label: string, element: InputBlock['element'], extra: { optional?: boolean; hint?: string } = {}): InputBlock {
  return {
    type: 'input',
    block_id: blockId,
    label: plain(label),
    element,
    ...(extra.optional ? { optional: true } : {}),
    ...(extra.hint ? { hint: plain(extra.hint) } : {}),
  };
}

function usersSelect(initial: readonly string[], placeholder: string): types.MultiUsersSelect {
  return {
    type: 'multi_users_select',
    action_id: INPUT_ACTION,
    placeholder: plain(placeholder),
    ...(initial.length > 0 ? { initial_users: [...initial] } : {}),
  };
}

function selectInput(blockId: string, label: string, options: PlainTextOption[], initial: string, hint?: string): InputBlock {
  return input(
    blockId,
    label,
    { type: 'static_select', action_id: INPUT_ACTION, options, initial_option: options.find((o) => o.value === initial) ?? options[0]! },
    hint ? { hint } : {},
  );
}

function numberInput(initial: number): types.NumberInput {
  return { type: 'number_input', action_id: INPUT_ACTION, is_decimal_allowed: false, initial_value: String(initial) };
}

function modal(callbackId: string, title: string, submit: string, blocks: KnownBlock[], privateMetadata?: string): ModalView {
  return {
    type: 'modal',
    callback_id: callbackId,
    title: plain(truncate(title, SLACK_LIMITS.modalTitle)),
    submit: plain(submit),
    close: plain('Cancel'),
    blocks,
    ...(privateMetadata ? { private_metadata: privateMetadata } : {}),
  };
}

// ---------------------------------------------------------------------------
// Team

/** What the team modal shows: empty for a new team; Slack user ids only (the pickers know no one else). */
export interface TeamModalInput {
  teamId?: string | undefined;
  name?: string | undefined;
  channelId?: string | null | undefined;
  agentSlackIds?: readonly string[] | undefined;
  escalationSlackIds?: readonly string[] | undefined;
  replyDefault?: CommentVisibility | undefined;
  requestChannelIds?: readonly string[] | undefined;
  intakeType?: TicketType | undefined;
  intakePriority?: TicketPriority | undefined;
  /** Agents or contacts that are no Slack users (set through the API): kept, and said so. */
  keptElsewhere?: number | undefined;
}

export function teamModal(team: TeamModalInput = {}): ModalView {
  const replyOptions = COMMENT_VISIBILITIES.map((v): PlainTextOption => option(REPLY_DEFAULT_LABELS[v], v));
  const blocks: KnownBlock[] = [
    input(B.teamName, 'Name', {
      type: 'plain_text_input',
      action_id: INPUT_ACTION,
      max_length: TEAM_NAME_MAX,
      placeholder: plain('e.g. IT Help Desk'),
      ...(team.name ? { initial_value: truncate(team.name, TEAM_NAME_MAX) } : {}),
    }),
    input(
      B.teamChannel,
      'Channel',
      {
        type: 'conversations_select',
        action_id: INPUT_ACTION,
        placeholder: plain('Where its ticket cards and SLA alerts go'),
        filter: { include: ['public', 'private'], exclude_bot_users: true, exclude_external_shared_channels: true },
        ...(team.channelId ? { initial_conversation: team.channelId } : {}),
      },
      { hint: 'The app joins a public channel by itself; a private one needs /invite @Helpdesk.' },
    ),
    input(B.teamAgents, 'Agents', usersSelect(team.agentSlackIds ?? [], 'Who works its tickets'), {
      optional: true,
      hint: 'Only agents act on its tickets and see internal notes; with none, anyone can.',
    }),
    input(B.teamEscalation, 'Escalation contacts', usersSelect(team.escalationSlackIds ?? [], 'Who is mentioned when a breach is not acknowledged'), {
      optional: true,
    }),
    input(B.teamReplyDefault, "An agent's plain reply in a card's thread is", {
      type: 'radio_buttons',
      action_id: INPUT_ACTION,
      options: replyOptions,
      initial_option: replyOptions.find((o) => o.value === (team.replyDefault ?? 'public'))!,
    }),
    input(
      B.teamRequestChannels,
      'Request channels',
      {
        type: 'multi_conversations_select',
        action_id: INPUT_ACTION,
        placeholder: plain('Where a new message is a ticket'),
        max_selected_items: REQUEST_CHANNELS_MAX,
        filter: { include: ['public', 'private'], exclude_bot_users: true, exclude_external_shared_channels: true },
        ...(team.requestChannelIds?.length ? { initial_conversations: [...team.requestChannelIds] } : {}),
      },
      {
        optional: true,
        hint: `Each new message there by someone who is not one of its agents becomes its ticket (not those starting with the skip prefix of the settings). At most ${REQUEST_CHANNELS_MAX}; a channel can be one team's only.`,
      },
    ),
    selectInput(B.teamIntakeType, 'Type of tickets raised from messages', TICKET_TYPES.map((t) => option(TYPE_LABELS[t], t)), team.intakeType ?? 'incident'),
    selectInput(
      B.teamIntakePriority,
      'Priority of tickets raised from messages',
      TICKET_PRIORITIES.map((p) => option(PRIORITY_LABELS[p], p)),
      team.intakePriority ?? 'medium',
      'A request channel\'s or a reaction\'s ticket; agents change it on the card like any ticket\'s.',
    ),
  ];
  if (team.keptElsewhere) {
    blocks.push(context(`${team.keptElsewhere} agent(s) or contact(s) added through the API are not Slack users: they are kept as they are.`));
  }
  return modal(ADMIN_CONFIG_CALLBACK.team, team.teamId ? 'Edit team' : 'New team', team.teamId ? 'Save' : 'Create', blocks, team.teamId ? teamMetadata(team.teamId) : undefined);
}

/** The team modal as submitted, raw: the domain validates. */
export interface TeamModalValues {
  name: string | undefined;
  channelId: string | undefined;
  agentSlackIds: string[];
  escalationSlackIds: string[];
  replyDefault: string | undefined;
  /** Undefined when the form had no such field (an older modal still open): the channels stay as they are. */
  requestChannelIds: string[] | undefined;
  intakeType: string | undefined;
  intakePriority: string | undefined;
}

export function readTeamModal(values: Values): TeamModalValues {
  const at = (block: string) => values[block]?.[INPUT_ACTION];
  return {
    name: at(B.teamName)?.value ?? undefined,
    channelId: at(B.teamChannel)?.selected_conversation ?? undefined,
    agentSlackIds: at(B.teamAgents)?.selected_users ?? [],
    escalationSlackIds: at(B.teamEscalation)?.selected_users ?? [],
    replyDefault: at(B.teamReplyDefault)?.selected_option?.value ?? undefined,
    requestChannelIds: values[B.teamRequestChannels] ? (at(B.teamRequestChannels)?.selected_conversations ?? []) : undefined,
    intakeType: at(B.teamIntakeType)?.selected_option?.value ?? undefined,
    intakePriority: at(B.teamIntakePriority)?.selected_option?.value ?? undefined,
  };
}

/** The team an edit modal is for, in its private_metadata. */
function teamMetadata(teamId: string): string {
  return JSON.stringify({ team_id: teamId });
}

/** The team id an edit modal names; undefined for a new team (or metadata the app did not write). */
export function readTeamMetadata(privateMetadata: string | undefined): string | undefined {
  if (!privateMetadata) return undefined;
  try {
    const teamId = (JSON.parse(privateMetadata) as { team_id?: unknown } | null)?.team_id;
    return typeof teamId === 'string' && teamId !== '' ? teamId : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------
// Settings

export interface SettingsModalInput {
  teams: Array<{ id: string; name: string }>;
  defaultTeamId: string | null;
  slaWarningPercent: number;
  escalationIntervalMinutes: number;
  escalationMax: number;
  /** The reaction that raises a ticket from a message. */
  intakeEmoji: string;
  /** A request channel's message starting with this is not a ticket ('' : none). */
  intakeSkipPrefix: string;
}

export function settingsModal(settings: SettingsModalInput): ModalView {
  const blocks: KnownBlock[] = [];
  if (settings.teams.length > 0) {
    const shown = settings.teams.slice(0, SLACK_LIMITS.selectOptions);
    const chosen = settings.teams.find((t) => t.id === settings.defaultTeamId);
    if (chosen && !shown.includes(chosen)) shown[shown.length - 1] = chosen;
    const options = shown.map((t) => option(t.name, t.id));
    blocks.push(
      input(
        B.defaultTeam,
        'Default team',
        {
          type: 'static_select',
          action_id: INPUT_ACTION,
          placeholder: plain('Choose a team'),
          options,
          ...(chosen ? { initial_option: options.find((o) => o.value === chosen.id)! } : {}),
        },
        { optional: true, hint: 'Preselected in the New ticket form; tickets raised without a team go there.' },
      ),
    );
  }
  blocks.push(
    input(B.warningPercent, 'SLA warning at (% of the target)', numberInput(settings.slaWarningPercent), {
      hint: 'A ticket is "at risk" once this share of its first-response or resolution time has passed (1-99).',
    }),
    input(B.escalationInterval, 'Re-announce a breach every (minutes)', numberInput(settings.escalationIntervalMinutes), {
      hint: 'An unacknowledged breach alert is posted again, mentioning the escalation contacts.',
    }),
    input(B.escalationMax, 'Re-announce at most (times)', numberInput(settings.escalationMax), { hint: '0: never.' }),
    input(
      B.intakeEmoji,
      'Ticket reaction',
      { type: 'plain_text_input', action_id: INPUT_ACTION, max_length: 102, initial_value: settings.intakeEmoji },
      { hint: 'An emoji name, e.g. ticket. Reacting with it to a message in a channel the app is in makes the message a ticket.' },
    ),
    input(
      B.intakeSkipPrefix,
      'Skip prefix in request channels',
      {
        type: 'plain_text_input',
        action_id: INPUT_ACTION,
        max_length: 30,
        ...(settings.intakeSkipPrefix ? { initial_value: settings.intakeSkipPrefix } : {}),
      },
      { optional: true, hint: 'A message in a request channel starting with this is not a ticket. Empty: every message is.' },
    ),
  );
  return modal(ADMIN_CONFIG_CALLBACK.settings, 'Helpdesk settings', 'Save', blocks);
}

/** The settings modal as a settings patch (wire names); an input Slack sent no value for is left out. */
export function readSettingsModal(values: Values): Record<string, unknown> {
  const at = (block: string) => values[block]?.[INPUT_ACTION];
  const patch: Record<string, unknown> = {};
  if (values[B.defaultTeam]) patch.default_team_id = at(B.defaultTeam)?.selected_option?.value ?? null;
  const number = (block: string, field: string) => {
    const raw = at(block)?.value;
    if (typeof raw !== 'string' || raw.trim() === '') return;
    // A number for the schema to judge (whole, in range); anything else goes as typed, and is refused as not a number.
    patch[field] = /^\s*-?\d+(\.\d+)?\s*$/.test(raw) ? Number(raw) : raw;
  };
  number(B.warningPercent, 'sla_warning_percent');
  number(B.escalationInterval, 'escalation_interval_minutes');
  number(B.escalationMax, 'escalation_max');
  const emoji = at(B.intakeEmoji)?.value;
  if (typeof emoji === 'string' && emoji.trim() !== '') patch.intake_emoji = emoji;
  // Emptied, the input sends no value: no prefix (every message in a request channel is a ticket).
  if (values[B.intakeSkipPrefix]) patch.intake_skip_prefix = at(B.intakeSkipPrefix)?.value ?? '';
  return patch;
}

// ---------------------------------------------------------------------------
// Helpdesk admins

export interface AdminsModalInput {
  adminSlackIds: readonly string[];
  /** Admins set through the API that are no Slack users: kept. */
  keptElsewhere: number;
}

export function adminsModal(admins: AdminsModalInput): ModalView {
  const blocks: KnownBlock[] = [
    section(
      'Helpdesk admins set up teams, SLA policies, business hours and these settings, here and through the API. ' +
        "The workspace's admins and owners are always helpdesk admins, listed here or not.",
    ),
    input(B.admins, 'Helpdesk admins', usersSelect(admins.adminSlackIds, 'Add people'), {
      optional: true,
      hint: 'Removing someone (yourself included) takes effect at once.',
    }),
  ];
  if (admins.keptElsewhere > 0) blocks.push(context(`${admins.keptElsewhere} admin(s) added through the API are not Slack users: they are kept.`));
  return modal(ADMIN_CONFIG_CALLBACK.admins, 'Helpdesk admins', 'Save', blocks);
}

export function readAdminsModal(values: Values): string[] {
  return values[B.admins]?.[INPUT_ACTION]?.selected_users ?? [];
}

// ---------------------------------------------------------------------------
// Refusals and notices

/** What a non-admin sees after clicking an admin button (a Home they should not have had, an old one). */
export function adminsOnlyModal(reason: string): ModalView {
  return noticeModal('Admins only', `:lock: ${reason}`);
}

/** A modal that only says something (a Home button has no message to answer in); `text` is plain, escaped here. */
export function noticeModal(title: string, text: string): ModalView {
  return { type: 'modal', title: plain(truncate(title, SLACK_LIMITS.modalTitle)), close: plain('Close'), blocks: [section(escapeMrkdwn(text))] };
}

/** A DM to the admin who chose a private channel the app is not in: how to let it in. */
export function inviteToPrivateChannel(input: { teamName: string; channelId: string; botUserId: string | undefined }) {
  const bot = input.botUserId ? mention(input.botUserId) : 'the Helpdesk app';
  const text =
    `:warning: ${bot} is not in <#${input.channelId}> yet, so the cards and alerts of *${escapeMrkdwn(truncate(input.teamName, TEAM_NAME_MAX))}* cannot be posted there. ` +
    `It is a private channel: type \`/invite @Helpdesk\` in it to let the app in.`;
  return { text, blocks: [section(text)] };
}

/**
 * A DM to the admin when the app is not in some of a team's request channels (private ones it
 * was not invited to, archived ones): messages there cannot become tickets until it is.
 */
export function requestChannelsNotJoined(input: { teamName: string; channels: Array<{ channelId: string; error?: string | undefined }> }) {
  const lines = input.channels.map((c) =>
    c.error ? `• <#${c.channelId}>: Slack said \`${escapeMrkdwn(truncate(c.error, 100))}\`` : `• <#${c.channelId}>: a private channel, type \`/invite @Helpdesk\` in it`,
  );
  const text =
    `:warning: The app is not in every request channel of *${escapeMrkdwn(truncate(input.teamName, TEAM_NAME_MAX))}*, so messages there cannot become tickets yet:\n` +
    lines.join('\n');
  return { text, blocks: [section(text)] };
}

/** A DM to the admin when the app could not join the team's channel for another reason (archived, …). */
export function channelNotJoined(input: { teamName: string; channelId: string; error: string }) {
  const text =
    `:warning: The app could not join <#${input.channelId}>, the channel of *${escapeMrkdwn(truncate(input.teamName, TEAM_NAME_MAX))}* ` +
    `(Slack said \`${escapeMrkdwn(truncate(input.error, 100))}\`). Choose another channel, or invite the app with \`/invite @Helpdesk\`.`;
  return { text, blocks: [section(text)] };
}
