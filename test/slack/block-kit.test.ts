import { describe, expect, it } from 'vitest';
import { BLOCK_KIT_LIMITS as L, checkMessage, checkView, type BlockKitError } from '../support/block-kit.js';

// The validator the fake Slack runs: each rule refuses a payload one past its limit and
// accepts the payload at the limit, so neither a missing rule nor an off-by-one goes unseen.

type Json = Record<string, unknown>;

const x = (n: number) => 'x'.repeat(n);
const pt = (text: string): Json => ({ type: 'plain_text', text });
const md = (text: string): Json => ({ type: 'mrkdwn', text });
const section = (text: string, extra: Json = {}): Json => ({ type: 'section', text: md(text), ...extra });
const button = (actionId: string, extra: Json = {}): Json => ({ type: 'button', text: pt('Go'), action_id: actionId, ...extra });
const actions = (elements: Json[], extra: Json = {}): Json => ({ type: 'actions', elements, ...extra });
const option = (text: string, value: string): Json => ({ text: pt(text), value });
const options = (n: number) => Array.from({ length: n }, (_, i) => option(`Option ${i}`, `v${i}`));
const select = (extra: Json): Json => ({ type: 'static_select', action_id: 'pick', placeholder: pt('Pick'), ...extra });
const textInput = (extra: Json = {}): Json => ({ type: 'plain_text_input', action_id: 'in', ...extra });
const input = (element: Json, extra: Json = {}): Json => ({ type: 'input', label: pt('Label'), element, ...extra });
const buttons = (n: number) => Array.from({ length: n }, (_, i) => button(`b${i}`));

const message = (blocks: Json[], text = 'fallback'): Json => ({ channel: 'C1', text, blocks });
const modal = (blocks: Json[], extra: Json = {}): Json => ({ type: 'modal', title: pt('Title'), submit: pt('OK'), blocks, ...extra });

interface Rule {
  rule: string;
  /** A message's blocks, or a whole modal view. */
  ok: Json;
  bad: Json;
  error: BlockKitError;
  /** Part of the JSON pointer the refusal names. */
  at?: string;
}

const check = (payload: Json) => ('type' in payload && (payload.type === 'modal' || payload.type === 'home') ? checkView(payload) : checkMessage(payload));

const RULES: Rule[] = [
  // block-kit/blocks
  { rule: '50 blocks per message', ok: message(Array(50).fill({ type: 'divider' })), bad: message(Array(51).fill({ type: 'divider' })), error: 'invalid_blocks', at: '/blocks' },
  { rule: '100 blocks per modal', ok: modal(Array(100).fill({ type: 'divider' })), bad: modal(Array(101).fill({ type: 'divider' })), error: 'invalid_arguments', at: '/view/blocks' },
  { rule: '100 blocks per Home tab', ok: { type: 'home', blocks: Array(100).fill({ type: 'divider' }) }, bad: { type: 'home', blocks: Array(101).fill({ type: 'divider' }) }, error: 'invalid_arguments' },
  { rule: 'block_id up to 255', ok: message([section('a', { block_id: x(255) })]), bad: message([section('a', { block_id: x(256) })]), error: 'invalid_blocks', at: '/blocks/0/block_id' },
  { rule: 'block_id unique', ok: message([section('a', { block_id: 'one' }), section('b', { block_id: 'two' })]), bad: message([section('a', { block_id: 'one' }), section('b', { block_id: 'one' })]), error: 'invalid_blocks', at: '/blocks/1/block_id' },
  { rule: 'known block types only', ok: message([{ type: 'divider' }]), bad: message([{ type: 'carousel' }]), error: 'invalid_blocks', at: '/blocks/0/type' },
  // block-kit/blocks/section-block
  { rule: 'section text up to 3000', ok: message([section(x(3000))]), bad: message([section(x(3001))]), error: 'invalid_blocks', at: '/blocks/0/text/text' },
  { rule: 'section text at least 1', ok: message([section('a')]), bad: message([section('')]), error: 'invalid_blocks', at: '/blocks/0/text/text' },
  { rule: 'section has text or fields', ok: message([{ type: 'section', fields: [md('a')] }]), bad: message([{ type: 'section' }]), error: 'invalid_blocks' },
  { rule: 'section up to 10 fields', ok: message([{ type: 'section', fields: Array(10).fill(md('a')) }]), bad: message([{ type: 'section', fields: Array(11).fill(md('a')) }]), error: 'invalid_blocks', at: '/blocks/0/fields' },
  { rule: 'section field up to 2000', ok: message([{ type: 'section', fields: [md(x(2000))] }]), bad: message([{ type: 'section', fields: [md(x(2001))] }]), error: 'invalid_blocks', at: '/blocks/0/fields/0/text' },
  // block-kit/blocks/header-block
  { rule: 'header up to 150', ok: message([{ type: 'header', text: pt(x(150)) }]), bad: message([{ type: 'header', text: pt(x(151)) }]), error: 'invalid_blocks', at: '/blocks/0/text/text' },
  { rule: 'header plain_text only', ok: message([{ type: 'header', text: pt('Hi') }]), bad: message([{ type: 'header', text: md('Hi') }]), error: 'invalid_blocks', at: '/blocks/0/text/type' },
  // block-kit/blocks/context-block
  { rule: 'context up to 10 elements', ok: message([{ type: 'context', elements: Array(10).fill(md('a')) }]), bad: message([{ type: 'context', elements: Array(11).fill(md('a')) }]), error: 'invalid_blocks', at: '/blocks/0/elements' },
  { rule: 'context at least 1 element', ok: message([{ type: 'context', elements: [md('a')] }]), bad: message([{ type: 'context', elements: [] }]), error: 'invalid_blocks' },
  // block-kit/blocks/actions-block
  { rule: 'actions up to 25 elements', ok: message([actions(buttons(25))]), bad: message([actions(buttons(26))]), error: 'invalid_blocks', at: '/blocks/0/elements' },
  { rule: 'action_id unique in its block', ok: message([actions([button('a')]), actions([button('a')])]), bad: message([actions([button('a'), button('a')])]), error: 'invalid_blocks', at: '/blocks/0/elements/1/action_id' },
  { rule: 'action_id up to 255', ok: message([actions([button(x(255))])]), bad: message([actions([button(x(256))])]), error: 'invalid_blocks', at: 'action_id' },
  { rule: 'elements where their container allows them', ok: message([actions([button('a')])]), bad: message([actions([textInput()])]), error: 'invalid_blocks', at: '/blocks/0/elements/0/type' },
  // block-kit/block-elements/button-element
  { rule: 'button text up to 75', ok: message([actions([button('a', { text: pt(x(75)) })])]), bad: message([actions([button('a', { text: pt(x(76)) })])]), error: 'invalid_blocks', at: '/text/text' },
  { rule: 'button text plain_text only', ok: message([actions([button('a')])]), bad: message([actions([button('a', { text: md('Go') })])]), error: 'invalid_blocks', at: '/text/type' },
  { rule: 'button value up to 2000', ok: message([actions([button('a', { value: x(2000) })])]), bad: message([actions([button('a', { value: x(2001) })])]), error: 'invalid_blocks', at: '/value' },
  { rule: 'button url up to 3000', ok: message([actions([button('a', { url: `https://e.example/${x(2982)}` })])]), bad: message([actions([button('a', { url: `https://e.example/${x(2983)}` })])]), error: 'invalid_blocks', at: '/url' },
  // block-kit/block-elements/select-menu-element and composition-objects/option-object
  { rule: 'select up to 100 options', ok: message([actions([select({ options: options(100) })])]), bad: message([actions([select({ options: options(101) })])]), error: 'invalid_blocks', at: '/options' },
  { rule: 'option text up to 75', ok: message([actions([select({ options: [option(x(75), 'v')] })])]), bad: message([actions([select({ options: [option(x(76), 'v')] })])]), error: 'invalid_blocks', at: '/options/0/text/text' },
  { rule: 'option value up to 150', ok: message([actions([select({ options: [option('a', x(150))] })])]), bad: message([actions([select({ options: [option('a', x(151))] })])]), error: 'invalid_blocks', at: '/options/0/value' },
  { rule: 'option text plain_text in selects', ok: message([actions([select({ options: [option('a', 'v')] })])]), bad: message([actions([select({ options: [{ text: md('a'), value: 'v' }] })])]), error: 'invalid_blocks', at: '/options/0/text/type' },
  { rule: 'placeholder up to 150', ok: message([actions([select({ options: options(1), placeholder: pt(x(150)) })])]), bad: message([actions([select({ options: options(1), placeholder: pt(x(151)) })])]), error: 'invalid_blocks', at: '/placeholder/text' },
  { rule: 'initial_option is one of the options', ok: message([actions([select({ options: options(2), initial_option: option('Option 1', 'v1') })])]), bad: message([actions([select({ options: options(2), initial_option: option('Option 9', 'v9') })])]), error: 'invalid_blocks', at: '/initial_option' },
  // block-kit/block-elements/overflow-menu-element, checkboxes-element
  { rule: 'overflow up to 5 options', ok: message([actions([{ type: 'overflow', action_id: 'o', options: options(5) }])]), bad: message([actions([{ type: 'overflow', action_id: 'o', options: options(6) }])]), error: 'invalid_blocks', at: '/options' },
  { rule: 'checkboxes up to 10 options', ok: message([actions([{ type: 'checkboxes', action_id: 'c', options: options(10) }])]), bad: message([actions([{ type: 'checkboxes', action_id: 'c', options: options(11) }])]), error: 'invalid_blocks', at: '/options' },
  // block-kit/composition-objects/confirmation-dialog-object
  {
    rule: 'confirm title up to 100',
    ok: message([actions([button('a', { confirm: { title: pt(x(100)), text: md('Sure?'), confirm: pt('Yes'), deny: pt('No') } })])]),
    bad: message([actions([button('a', { confirm: { title: pt(x(101)), text: md('Sure?'), confirm: pt('Yes'), deny: pt('No') } })])]),
    error: 'invalid_blocks',
    at: '/confirm/title/text',
  },
  // block-kit/composition-objects/text-object
  { rule: 'emoji only on plain_text', ok: message([section('a')]), bad: message([{ type: 'section', text: { ...md('a'), emoji: true } }]), error: 'invalid_blocks', at: '/text/emoji' },
  { rule: 'verbatim only on mrkdwn', ok: message([{ type: 'section', text: { ...md('a'), verbatim: true } }]), bad: message([{ type: 'section', text: { ...pt('a'), verbatim: true } }]), error: 'invalid_blocks', at: '/text/verbatim' },
  // block-kit/blocks/input-block and block-elements/plain-text-input-element
  { rule: 'input label up to 2000', ok: modal([input(textInput(), { label: pt(x(2000)) })]), bad: modal([input(textInput(), { label: pt(x(2001)) })]), error: 'invalid_arguments', at: '/view/blocks/0/label/text' },
  { rule: 'input label plain_text only', ok: modal([input(textInput())]), bad: modal([input(textInput(), { label: md('Label') })]), error: 'invalid_arguments', at: '/label/type' },
  { rule: 'max_length up to 3000', ok: modal([input(textInput({ max_length: 3000 }))]), bad: modal([input(textInput({ max_length: 3001 }))]), error: 'invalid_arguments', at: '/element/max_length' },
  { rule: 'max_length at least 1', ok: modal([input(textInput({ max_length: 1 }))]), bad: modal([input(textInput({ max_length: 0 }))]), error: 'invalid_arguments', at: '/element/max_length' },
  { rule: 'min_length up to 3000', ok: modal([input(textInput({ min_length: 3000 }))]), bad: modal([input(textInput({ min_length: 3001 }))]), error: 'invalid_arguments', at: '/element/min_length' },
  { rule: 'initial_value within max_length', ok: modal([input(textInput({ max_length: 10, initial_value: x(10) }))]), bad: modal([input(textInput({ max_length: 10, initial_value: x(11) }))]), error: 'invalid_arguments', at: '/element/initial_value' },
  // surfaces/modals
  { rule: 'modal title up to 24', ok: modal([], { title: pt(x(24)) }), bad: modal([], { title: pt(x(25)) }), error: 'invalid_arguments', at: '/view/title/text' },
  { rule: 'modal title plain_text only', ok: modal([]), bad: modal([], { title: md('Title') }), error: 'invalid_arguments', at: '/view/title/type' },
  { rule: 'modal submit up to 24', ok: modal([], { submit: pt(x(24)) }), bad: modal([], { submit: pt(x(25)) }), error: 'invalid_arguments', at: '/view/submit/text' },
  { rule: 'submit required beside an input', ok: modal([input(textInput())]), bad: modal([input(textInput())], { submit: undefined }), error: 'invalid_arguments', at: '/view/submit' },
  { rule: 'private_metadata up to 3000', ok: modal([], { private_metadata: x(3000) }), bad: modal([], { private_metadata: x(3001) }), error: 'invalid_arguments', at: '/view/private_metadata' },
  { rule: 'callback_id up to 255', ok: modal([], { callback_id: x(255) }), bad: modal([], { callback_id: x(256) }), error: 'invalid_arguments', at: '/view/callback_id' },
  // methods/chat.postMessage and the reported block text limit
  { rule: 'a text fallback beside blocks', ok: message([section('a')], 'a'), bad: message([section('a')], ''), error: 'invalid_arguments', at: '/text' },
  { rule: 'text or blocks', ok: { channel: 'C1', text: 'a' }, bad: { channel: 'C1' }, error: 'no_text' },
  { rule: 'text up to 40,000', ok: { channel: 'C1', text: x(40_000) }, bad: { channel: 'C1', text: x(40_001) }, error: 'msg_too_long', at: '/text' },
  { rule: 'block text up to 12,000', ok: message(Array(4).fill(section(x(3000)))), bad: message([...Array(4).fill(section(x(3000))), section('a')]), error: 'msg_blocks_too_long' },
  // messaging/formatting-message-text: valid UTF-8 only
  { rule: 'no lone surrogate in text', ok: { channel: 'C1', text: 'a😀' }, bad: { channel: 'C1', text: 'a\uD83D' }, error: 'invalid_arguments', at: '/text' },
  { rule: 'no lone surrogate in blocks', ok: message([section('a😀')]), bad: message([section('a\uDE00')]), error: 'invalid_arguments', at: '/blocks/0/text/text' },
  { rule: 'no lone surrogate in a view', ok: modal([section('a😀')]), bad: modal([section('😀'.slice(0, 1))]), error: 'invalid_arguments', at: '/view/blocks/0/text/text' },
];

describe('Block Kit validator (what the fake Slack refuses)', () => {
  it.each(RULES)('$rule: accepted at the limit, refused past it', ({ ok, bad, error, at }) => {
    expect(check(ok)).toBeUndefined();
    const refusal = check(bad);
    expect(refusal?.error).toBe(error);
    expect(refusal?.errors.length).toBeGreaterThan(0);
    if (at) expect(refusal?.errors.join('\n')).toContain(at);
  });

  it('names every problem with a JSON pointer, as Slack does', () => {
    const refusal = checkMessage(message([section(x(3001)), { type: 'header', text: md('Hi') }]));
    expect(refusal).toEqual({
      error: 'invalid_blocks',
      errors: ['must be less than 3001 characters [json-pointer:/blocks/0/text/text]', 'must be plain_text [json-pointer:/blocks/1/text/type]'],
    });
  });

  it('lets a response_url delete the original message without content', () => {
    expect(checkMessage({ delete_original: true })).toBeUndefined();
    expect(checkMessage({ replace_original: false })?.error).toBe('no_text');
  });

  it('keeps its limits equal to the ones the docs give', () => {
    expect(L).toMatchObject({ messageBlocks: 50, viewBlocks: 100, sectionText: 3000, headerText: 150, buttonText: 75, inputLength: 3000, viewTitle: 24 });
  });
});
