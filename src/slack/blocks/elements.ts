/** Block Kit elements the builders share; every string in them is already fitted to Slack's limits. */
import type { types } from '@slack/bolt';
import { ACTION } from '../ids.js';
import { fitMrkdwn, truncate, wellFormed } from './text.js';

export type KnownBlock = types.KnownBlock;
type SectionBlock = types.SectionBlock;
type ContextBlock = types.ContextBlock;
type ActionsBlock = types.ActionsBlock;
export type Button = types.Button;
export type PlainTextElement = types.PlainTextElement;
type MrkdwnElement = types.MrkdwnElement;
export type PlainTextOption = types.PlainTextOption;

/** A chat message: `text` is the notification / screen-reader fallback for `blocks`. */
export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

/** Slack's documented limits that these builders stay within. */
export const SLACK_LIMITS = {
  messageBlocks: 50,
  modalBlocks: 100,
  sectionText: 3000,
  sectionField: 2000,
  headerText: 150,
  modalTitle: 24,
  optionText: 75,
  buttonText: 75,
  buttonValue: 2000,
  privateMetadata: 3000,
  selectOptions: 100,
  placeholder: 150,
  /** A plain_text_input's `max_length` must be 1-3000, or Slack refuses the whole view. */
  inputMaxLength: 3000,
} as const;

export function plain(text: string): PlainTextElement {
  return { type: 'plain_text', text: wellFormed(text), emoji: true };
}

export function mrkdwn(text: string): MrkdwnElement {
  return { type: 'mrkdwn', text };
}

export function section(text: string): SectionBlock {
  return { type: 'section', text: mrkdwn(fitMrkdwn(text, SLACK_LIMITS.sectionText)) };
}

export function fieldsSection(fields: [label: string, value: string][]): SectionBlock {
  return {
    type: 'section',
    fields: fields.map(([label, value]) => mrkdwn(fitMrkdwn(`*${label}*\n${value}`, SLACK_LIMITS.sectionField))),
  };
}

export function context(text: string): ContextBlock {
  return { type: 'context', elements: [mrkdwn(fitMrkdwn(text, SLACK_LIMITS.sectionText))] };
}

export function button(text: string, actionId: string, ticketId: string, style?: 'primary' | 'danger'): Button {
  return {
    type: 'button',
    text: plain(truncate(text, SLACK_LIMITS.buttonText)),
    action_id: actionId,
    value: ticketId,
    ...(style ? { style } : {}),
  };
}

/** A "View ticket" link button; Slack still sends an action for it, which must be acked. */
export function linkButton(url: string, ticketId: string): Button {
  return { ...button('View ticket', ACTION.openLink, ticketId), url };
}

export function actions(elements: ActionsBlock['elements'], blockId?: string): ActionsBlock {
  return { type: 'actions', elements, ...(blockId ? { block_id: blockId } : {}) };
}

export function option(text: string, value: string): PlainTextOption {
  return { text: plain(truncate(text, SLACK_LIMITS.optionText)), value };
}
