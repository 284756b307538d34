/** The create-ticket modal, and reading it back when it is submitted. */
import type { types, ViewOutput } from '@slack/bolt';
import { TICKET_PRIORITIES, TICKET_TYPES, type TicketPriority, type TicketType } from '../../db/schema/enums.js';
import { BLOCK, CALLBACK, INPUT_ACTION } from '../ids.js';
import { context, option, plain, SLACK_LIMITS, type KnownBlock, type PlainTextOption } from './elements.js';
import { link, present, PRIORITY_LABELS, truncate, TYPE_LABELS } from './text.js';

type InputBlock = types.InputBlock;
type StaticSelect = types.StaticSelect;

/**
 * Modal input lengths (the title and category match the domain schema). The description's
 * is Slack's highest `max_length`; the domain takes longer ones from the API.
 */
export const MODAL_MAX_LENGTH = { title: 200, description: SLACK_LIMITS.inputMaxLength, category: 100 } as const;

export interface TicketModalInitial {
  title?: string | undefined;
  description?: string | undefined;
  type?: TicketType | undefined;
  priority?: TicketPriority | undefined;
  teamId?: string | undefined;
  category?: string | undefined;
}

export interface TicketModalInput {
  teams: { id: string; name: string }[];
  defaultTeamId?: string | undefined;
  initial?: TicketModalInitial | undefined;
  privateMetadata?: string | undefined;
  /** Permalink of the message a shortcut was used on; shown, and appended to the description. */
  sourceMessageLink?: string | undefined;
}

/** The values a modal submission carries, as raw strings (validation is the domain's job). */
export interface TicketModalValues {
  title: string | undefined;
  description: string | undefined;
  type: string | undefined;
  priority: string | undefined;
  teamId: string | undefined;
  category: string | undefined;
}

function textInput(
  blockId: string,
  label: string,
  options: { maxLength: number; initial?: string | undefined; multiline?: boolean; optional?: boolean; placeholder?: string },
): InputBlock {
  const initial = present(options.initial);
  return {
    type: 'input',
    block_id: blockId,
    label: plain(label),
    ...(options.optional ? { optional: true } : {}),
    element: {
      type: 'plain_text_input',
      action_id: INPUT_ACTION,
      max_length: options.maxLength,
      ...(options.multiline ? { multiline: true } : {}),
      ...(options.placeholder ? { placeholder: plain(truncate(options.placeholder, SLACK_LIMITS.placeholder)) } : {}),
      ...(initial ? { initial_value: truncate(initial, options.maxLength) } : {}),
    },
  };
}

function selectInput(
  blockId: string,
  label: string,
  options: PlainTextOption[],
  selected: string | undefined,
  extra: { optional?: boolean; placeholder: string },
): InputBlock {
  const initial = options.find((o) => o.value === selected);
  const element: StaticSelect = {
    type: 'static_select',
    action_id: INPUT_ACTION,
    placeholder: plain(truncate(extra.placeholder, SLACK_LIMITS.placeholder)),
    options,
    ...(initial ? { initial_option: initial } : {}),
  };
  return {
    type: 'input',
    block_id: blockId,
    label: plain(label),
    ...(extra.optional ? { optional: true } : {}),
    element,
  };
}

/** At most 100 team options; a preselected team beyond the cut takes the last place. */
function teamOptions(teams: TicketModalInput['teams'], selected: string | undefined): PlainTextOption[] {
  const shown = teams.slice(0, SLACK_LIMITS.selectOptions);
  const chosen = teams.find((t) => t.id === selected);
  if (chosen && !shown.includes(chosen)) shown[shown.length - 1] = chosen;
  return shown.map((t) => option(t.name, t.id));
}

/** The description prefilled from a shortcut's message, keeping the link within the input's limit. */
function initialDescription(description: string | undefined, sourceLink: string | undefined): string | undefined {
  const body = present(description);
  if (!sourceLink) return body;
  const suffix = `Source: ${sourceLink}`;
  if (!body) return suffix;
  const room = MODAL_MAX_LENGTH.description - suffix.length - 2;
  return `${truncate(body, Math.max(room, 1))}\n\n${suffix}`;
}

/** The "New ticket" modal (slash command and message shortcut). */
export function ticketModal(input: TicketModalInput): types.ModalView {
  const initial = input.initial ?? {};
  if (input.privateMetadata && input.privateMetadata.length > SLACK_LIMITS.privateMetadata) {
    throw new RangeError(`private_metadata is ${input.privateMetadata.length} characters; Slack allows 3000`);
  }
  const blocks: KnownBlock[] = [];
  if (input.sourceMessageLink) blocks.push(context(`:link: From ${link(input.sourceMessageLink, 'this message')}`));
  blocks.push(
    textInput(BLOCK.title, 'Title', {
      maxLength: MODAL_MAX_LENGTH.title,
      initial: initial.title,
      placeholder: 'What do you need help with?',
    }),
    textInput(BLOCK.description, 'Description', {
      maxLength: MODAL_MAX_LENGTH.description,
      initial: initialDescription(initial.description, input.sourceMessageLink),
      multiline: true,
      optional: true,
      placeholder: 'Steps, error messages, who is affected…',
    }),
    selectInput(
      BLOCK.type,
      'Type',
      TICKET_TYPES.map((t) => option(TYPE_LABELS[t], t)),
      initial.type ?? 'service_request',
      { placeholder: 'Choose a type' },
    ),
    selectInput(
      BLOCK.priority,
      'Priority',
      TICKET_PRIORITIES.map((p) => option(PRIORITY_LABELS[p], p)),
      initial.priority ?? 'medium',
      { placeholder: 'Choose a priority' },
    ),
  );
  if (input.teams.length > 0) {
    const teamId = initial.teamId ?? input.defaultTeamId;
    blocks.push(
      selectInput(BLOCK.team, 'Team', teamOptions(input.teams, teamId), teamId, {
        optional: true,
        placeholder: 'Choose a team',
      }),
    );
  }
  blocks.push(
    textInput(BLOCK.category, 'Category', {
      maxLength: MODAL_MAX_LENGTH.category,
      initial: initial.category,
      optional: true,
      placeholder: 'e.g. Hardware, Access, Billing',
    }),
  );
  return {
    type: 'modal',
    callback_id: CALLBACK.createTicketModal,
    title: plain('New ticket'),
    submit: plain('Create'),
    close: plain('Cancel'),
    blocks,
    ...(input.privateMetadata ? { private_metadata: input.privateMetadata } : {}),
  };
}

/** Reads a submitted `ticketModal`; Slack's `null` for an empty input becomes `undefined`. */
export function readTicketModal(values: ViewOutput['state']['values']): TicketModalValues {
  const input = (block: string) => values[block]?.[INPUT_ACTION];
  const text = (block: string) => input(block)?.value ?? undefined;
  const selected = (block: string) => input(block)?.selected_option?.value ?? undefined;
  return {
    title: text(BLOCK.title),
    description: text(BLOCK.description),
    type: selected(BLOCK.type),
    priority: selected(BLOCK.priority),
    teamId: selected(BLOCK.team),
    category: text(BLOCK.category),
  };
}

// ---------------------------------------------------------------------------
// The message a shortcut's form was opened from, carried in its private_metadata

/** The thread of the message a ticket is raised from (`channel_id`, `thread_ts`). */
export interface FormMessageSource {
  channel_id: string;
  thread_ts: string;
}

/** The form's private_metadata naming the message's thread (well under Slack's 3000 characters). */
export function messageSourceMetadata(source: FormMessageSource): string {
  return JSON.stringify({ source: { channel_id: source.channel_id, thread_ts: source.thread_ts } });
}

/**
 * The message thread a submitted form names: undefined when it names none (the `/ticket`
 * form), `'malformed'` when its metadata is not what `messageSourceMetadata` writes. The ids'
 * format is the domain's to check; this only reads the shape.
 */
export function readMessageSource(privateMetadata: string | undefined): FormMessageSource | 'malformed' | undefined {
  if (!privateMetadata) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(privateMetadata);
  } catch {
    return 'malformed';
  }
  const source = (parsed as { source?: unknown } | null)?.source;
  if (source === undefined) return undefined;
  const { channel_id: channel, thread_ts: threadTs } = (source ?? {}) as Record<string, unknown>;
  if (typeof channel !== 'string' || typeof threadTs !== 'string') return 'malformed';
  return { channel_id: channel, thread_ts: threadTs };
}
