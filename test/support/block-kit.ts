/**
 * What real Slack accepts: the documented Block Kit limits, checked on every payload the
 * fake Slack receives, so that no test can pass on a message or view Slack would refuse.
 *
 * Lengths are counted in UTF-16 code units (JavaScript `length`), never fewer than the
 * characters Slack counts. Each limit names the page it comes from: block-kit/… and methods/…
 * under https://docs.slack.dev/reference/, messaging/… and surfaces/… under
 * https://docs.slack.dev/. Where this is
 * stricter than Slack it says so: the product must not depend on Slack's leniency there either.
 */

/** The error codes Slack answers a refused payload with. */
export type BlockKitError = 'invalid_blocks' | 'invalid_arguments' | 'msg_blocks_too_long' | 'msg_too_long' | 'no_text';

/** A refusal as Slack words it: `errors` carry a JSON pointer to the offending field. */
export interface BlockKitRefusal {
  error: BlockKitError;
  errors: string[];
}

export const BLOCK_KIT_LIMITS = {
  // block-kit/blocks: "up to 50 blocks in each message, and 100 blocks in modals or Home tabs".
  messageBlocks: 50,
  viewBlocks: 100,
  // methods/chat.postMessage ("text ... truncated" past 40,000; its error list has msg_too_long).
  messageText: 40_000,
  // Not documented: msg_blocks_too_long reported from about 12,000-13,300 characters of block
  // text (slackapi/bolt-js issues 2509, 2867). The lower end, so a payload near it fails here first.
  messageBlockText: 12_000,
  // block-kit/blocks/*: block_id "Maximum length for this field is 255 characters".
  blockId: 255,
  actionId: 255,
  // block-kit/blocks/section-block: text 1-3000 characters; fields up to 10 items, each up to 2000.
  sectionText: 3000,
  sectionFields: 10,
  sectionField: 2000,
  // block-kit/blocks/header-block: plain_text, up to 150 characters.
  headerText: 150,
  // block-kit/blocks/context-block: 1 to 10 elements.
  contextElements: 10,
  // block-kit/blocks/actions-block: 1 to 25 elements.
  actionsElements: 25,
  // block-kit/blocks/input-block: label and hint plain_text, up to 2000 characters.
  inputLabel: 2000,
  // block-kit/blocks/image-block and block-elements/image-element: image_url 3000, alt_text 2000, title 2000.
  imageUrl: 3000,
  altText: 2000,
  // block-kit/blocks/markdown-block: text up to 12,000 characters (messages only).
  markdownText: 12_000,
  // block-kit/composition-objects/text-object: text 1-3000 characters.
  textObject: 3000,
  // block-kit/block-elements/button-element: text 75, value 2000, url 3000, accessibility_label 75.
  buttonText: 75,
  buttonValue: 2000,
  url: 3000,
  // block-kit/block-elements/select-menu-element: placeholder 150; up to 100 options or option groups.
  placeholder: 150,
  selectOptions: 100,
  // block-kit/composition-objects/option-object: text 75, value 150, description 75.
  optionText: 75,
  optionValue: 150,
  optionDescription: 75,
  // block-kit/composition-objects/option-group-object: label 75.
  optionGroupLabel: 75,
  // block-kit/block-elements/overflow-menu-element: 1 to 5 options.
  overflowOptions: 5,
  // block-kit/block-elements/checkboxes-element and radio-button-group-element: up to 10 options.
  choiceOptions: 10,
  // block-kit/block-elements/plain-text-input-element: min_length 0-3000, max_length 1-3000.
  inputLength: 3000,
  // block-kit/composition-objects/confirmation-dialog-object: title 100, text 300, confirm/deny 30.
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  // surfaces/modals: title, submit, close plain_text up to 24; private_metadata 3000; callback_id 255.
  viewTitle: 24,
  privateMetadata: 3000,
  callbackId: 255,
  externalId: 255,
} as const;

const L = BLOCK_KIT_LIMITS;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);

/** A UTF-16 surrogate without its other half: not valid UTF-8 once encoded (messaging/formatting-message-text). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}

/** Every string in `value` with a lone surrogate, by JSON pointer. */
function loneSurrogates(value: unknown, pointer: string): string[] {
  if (typeof value === 'string') return hasLoneSurrogate(value) ? [pointer] : [];
  if (Array.isArray(value)) return value.flatMap((item, i) => loneSurrogates(item, `${pointer}/${i}`));
  if (isObject(value)) return Object.entries(value).flatMap(([key, item]) => loneSurrogates(item, `${pointer}/${key}`));
  return [];
}

type Surface = 'message' | 'modal' | 'home';

/** Element types each container accepts (the "works with" list of each element's page). */
const SELECTS = [
  'static_select',
  'external_select',
  'users_select',
  'conversations_select',
  'channels_select',
  'multi_static_select',
  'multi_external_select',
  'multi_users_select',
  'multi_conversations_select',
  'multi_channels_select',
];
const INTERACTIVE = ['button', 'checkboxes', 'datepicker', 'datetimepicker', 'overflow', 'radio_buttons', 'timepicker', ...SELECTS];
const ACTIONS_ELEMENTS = new Set([...INTERACTIVE, 'workflow_button', 'rich_text_input']);
const SECTION_ACCESSORIES = new Set([...INTERACTIVE, 'image', 'workflow_button']);
const INPUT_ELEMENTS = new Set([
  ...INTERACTIVE.filter((t) => t !== 'button' && t !== 'overflow'),
  'plain_text_input',
  'email_text_input',
  'url_text_input',
  'number_input',
  'rich_text_input',
  'file_input',
]);

/** Walks one payload, collecting Slack-style problems (`message [json-pointer:/path]`). */
class Checker {
  readonly problems: string[] = [];
  /** Characters of text in the blocks: what msg_blocks_too_long is reported to count. */
  blockText = 0;
  private readonly blockIds = new Set<string>();

  constructor(private readonly surface: Surface) {}

  problem(pointer: string, message: string): void {
    this.problems.push(`${message} [json-pointer:${pointer}]`);
  }

  /** A string field: `required`, and within `min`..`max` characters. */
  string(value: unknown, pointer: string, max: number, options: { required?: boolean; min?: number } = {}): value is string {
    if (value === undefined) {
      if (options.required) this.problem(pointer, 'missing required field');
      return false;
    }
    if (typeof value !== 'string') {
      this.problem(pointer, 'expected a string');
      return false;
    }
    const min = options.min ?? 0;
    if (value.length < min) this.problem(pointer, `must be at least ${min} character${min === 1 ? '' : 's'}`);
    if (value.length > max) this.problem(pointer, `must be less than ${max + 1} characters`);
    return true;
  }

  /**
   * A text object (block-kit/composition-objects/text-object): plain_text or mrkdwn, 1..max
   * characters; `emoji` only on plain_text, `verbatim` only on mrkdwn. `plainOnly` where
   * the field's page says "plain_text only".
   */
  text(value: unknown, pointer: string, max: number, options: { plainOnly?: boolean; required?: boolean } = {}): void {
    if (value === undefined) {
      if (options.required ?? true) this.problem(pointer, 'missing required field');
      return;
    }
    if (!isObject(value)) {
      this.problem(pointer, 'expected a text object');
      return;
    }
    if (value.type !== 'plain_text' && value.type !== 'mrkdwn') {
      this.problem(`${pointer}/type`, 'must be one of plain_text, mrkdwn');
      return;
    }
    if (options.plainOnly && value.type !== 'plain_text') this.problem(`${pointer}/type`, 'must be plain_text');
    if (value.type === 'mrkdwn' && 'emoji' in value) this.problem(`${pointer}/emoji`, 'emoji is only allowed on plain_text');
    if (value.type === 'plain_text' && 'verbatim' in value) this.problem(`${pointer}/verbatim`, 'verbatim is only allowed on mrkdwn');
    if (this.string(value.text, `${pointer}/text`, Math.min(max, L.textObject), { required: true, min: 1 })) {
      this.blockText += value.text.length;
    }
  }

  url(value: unknown, pointer: string, required = false): void {
    if (this.string(value, pointer, L.url, { required, min: 1 }) && !/^https?:\/\//i.test(value)) {
      this.problem(pointer, 'must be an http(s) URL');
    }
  }

  /** The `block_id` of a block: optional, up to 255, unique in the message or view (block-kit/blocks). */
  blockId(value: unknown, pointer: string): void {
    if (!this.string(value, pointer, L.blockId, { min: 1 })) return;
    if (this.blockIds.has(value)) this.problem(pointer, `duplicate block_id: ${value}`);
    this.blockIds.add(value);
  }

  blocks(value: unknown, pointer: string): void {
    if (!Array.isArray(value)) {
      this.problem(pointer, 'expected an array of blocks');
      return;
    }
    const max = this.surface === 'message' ? L.messageBlocks : L.viewBlocks;
    if (value.length > max) this.problem(pointer, `no more than ${max} items allowed`);
    value.forEach((block, i) => this.block(block, `${pointer}/${i}`));
  }

  block(block: unknown, pointer: string): void {
    if (!isObject(block)) {
      this.problem(pointer, 'expected a block object');
      return;
    }
    this.blockId(block.block_id, `${pointer}/block_id`);
    switch (block.type) {
      case 'section':
        return this.section(block, pointer);
      case 'header':
        // block-kit/blocks/header-block
        return this.text(block.text, `${pointer}/text`, L.headerText, { plainOnly: true });
      case 'context':
        return this.context(block, pointer);
      case 'actions':
        return this.actions(block, pointer);
      case 'input':
        return this.input(block, pointer);
      case 'divider':
        return;
      case 'image':
        // block-kit/blocks/image-block
        if (block.slack_file === undefined) this.url(block.image_url, `${pointer}/image_url`, true);
        this.string(block.alt_text, `${pointer}/alt_text`, L.altText, { required: true, min: 1 });
        this.text(block.title, `${pointer}/title`, L.altText, { plainOnly: true, required: false });
        return;
      case 'markdown':
        // block-kit/blocks/markdown-block: messages only.
        if (this.surface !== 'message') this.problem(`${pointer}/type`, 'markdown blocks are only allowed in messages');
        if (this.string(block.text, `${pointer}/text`, L.markdownText, { required: true, min: 1 })) this.blockText += block.text.length;
        return;
      case 'rich_text':
        // block-kit/blocks/rich-text-block: the elements' own shapes are not checked here.
        if (!Array.isArray(block.elements)) this.problem(`${pointer}/elements`, 'missing required field');
        return;
      default:
        this.problem(`${pointer}/type`, `unsupported block type: ${String(block.type)}`);
    }
  }

  /** block-kit/blocks/section-block: text and/or fields; an accessory element. */
  section(block: Json, pointer: string): void {
    if (block.text === undefined && block.fields === undefined) {
      this.problem(pointer, 'must provide text or fields');
    }
    if (block.text !== undefined) this.text(block.text, `${pointer}/text`, L.sectionText);
    if (block.fields !== undefined) {
      if (!Array.isArray(block.fields) || block.fields.length === 0) this.problem(`${pointer}/fields`, 'must be a non-empty array');
      else {
        if (block.fields.length > L.sectionFields) this.problem(`${pointer}/fields`, `no more than ${L.sectionFields} items allowed`);
        block.fields.forEach((field, i) => this.text(field, `${pointer}/fields/${i}`, L.sectionField));
      }
    }
    if (block.accessory !== undefined) this.element(block.accessory, `${pointer}/accessory`, SECTION_ACCESSORIES, new Set());
  }

  /** block-kit/blocks/context-block: 1-10 text objects or image elements. */
  context(block: Json, pointer: string): void {
    const elements = block.elements;
    if (!Array.isArray(elements) || elements.length === 0) {
      this.problem(`${pointer}/elements`, 'must be a non-empty array');
      return;
    }
    if (elements.length > L.contextElements) this.problem(`${pointer}/elements`, `no more than ${L.contextElements} items allowed`);
    elements.forEach((element, i) => {
      const at = `${pointer}/elements/${i}`;
      if (isObject(element) && element.type === 'image') this.element(element, at, new Set(['image']), new Set());
      else this.text(element, at, L.textObject);
    });
  }

  /** block-kit/blocks/actions-block: 1-25 interactive elements, action_ids unique in the block. */
  actions(block: Json, pointer: string): void {
    const elements = block.elements;
    if (!Array.isArray(elements) || elements.length === 0) {
      this.problem(`${pointer}/elements`, 'must be a non-empty array');
      return;
    }
    if (elements.length > L.actionsElements) this.problem(`${pointer}/elements`, `no more than ${L.actionsElements} items allowed`);
    const actionIds = new Set<string>();
    elements.forEach((element, i) => this.element(element, `${pointer}/elements/${i}`, ACTIONS_ELEMENTS, actionIds));
  }

  /** block-kit/blocks/input-block: plain_text label (and hint) up to 2000, one input element. */
  input(block: Json, pointer: string): void {
    this.text(block.label, `${pointer}/label`, L.inputLabel, { plainOnly: true });
    this.text(block.hint, `${pointer}/hint`, L.inputLabel, { plainOnly: true, required: false });
    // input-block: `dispatch_action` and `optional` are booleans.
    for (const flag of ['dispatch_action', 'optional'] as const) {
      if (block[flag] !== undefined && typeof block[flag] !== 'boolean') this.problem(`${pointer}/${flag}`, 'expected a boolean');
    }
    if (block.element === undefined) this.problem(`${pointer}/element`, 'missing required field');
    else this.element(block.element, `${pointer}/element`, INPUT_ELEMENTS, new Set());
  }

  /** One block element, of a type its container allows; `actionIds` are those already used in the block. */
  element(element: unknown, pointer: string, allowed: Set<string>, actionIds: Set<string>): void {
    if (!isObject(element)) {
      this.problem(pointer, 'expected an element object');
      return;
    }
    const type = String(element.type);
    if (!allowed.has(type)) {
      this.problem(`${pointer}/type`, `element type ${type} is not allowed here`);
      return;
    }
    if (type !== 'image') {
      // Every interactive element's page: action_id up to 255, unique among the block's action_ids.
      if (this.string(element.action_id, `${pointer}/action_id`, L.actionId, { min: 1 })) {
        if (actionIds.has(element.action_id)) this.problem(`${pointer}/action_id`, `duplicate action_id: ${element.action_id}`);
        actionIds.add(element.action_id);
      }
    }
    if (element.confirm !== undefined) this.confirm(element.confirm, `${pointer}/confirm`);
    if (element.placeholder !== undefined) this.text(element.placeholder, `${pointer}/placeholder`, L.placeholder, { plainOnly: true });
    switch (type) {
      case 'button':
        // block-kit/block-elements/button-element
        this.text(element.text, `${pointer}/text`, L.buttonText, { plainOnly: true });
        this.string(element.value, `${pointer}/value`, L.buttonValue, { min: 1 });
        if (element.url !== undefined) this.url(element.url, `${pointer}/url`);
        this.string(element.accessibility_label, `${pointer}/accessibility_label`, L.buttonText, { min: 1 });
        if (element.style !== undefined && element.style !== 'primary' && element.style !== 'danger') {
          this.problem(`${pointer}/style`, 'must be one of primary, danger');
        }
        return;
      case 'image':
        // block-kit/block-elements/image-element
        if (element.slack_file === undefined) this.url(element.image_url, `${pointer}/image_url`, true);
        this.string(element.alt_text, `${pointer}/alt_text`, L.altText, { required: true, min: 1 });
        return;
      case 'overflow':
        // block-kit/block-elements/overflow-menu-element: 1-5 options (plain_text, may carry a url).
        this.options(element.options, `${pointer}/options`, L.overflowOptions, { plainOnly: true, required: true });
        return;
      case 'checkboxes':
      case 'radio_buttons': {
        // block-kit/block-elements/checkboxes-element, radio-button-group-element: up to 10 options, mrkdwn allowed.
        const options = this.options(element.options, `${pointer}/options`, L.choiceOptions, { plainOnly: false, required: true });
        if (type === 'radio_buttons') this.initialOption(element.initial_option, options, `${pointer}/initial_option`);
        else this.initialOptions(element.initial_options, options, `${pointer}/initial_options`);
        return;
      }
      case 'static_select':
      case 'multi_static_select': {
        // block-kit/block-elements/select-menu-element (and multi-select-menu-element): options or option_groups.
        const options = this.selectOptions(element, pointer);
        if (type === 'static_select') this.initialOption(element.initial_option, options, `${pointer}/initial_option`);
        else this.initialOptions(element.initial_options, options, `${pointer}/initial_options`);
        return;
      }
      case 'plain_text_input':
        this.dispatchConfig(element.dispatch_action_config, `${pointer}/dispatch_action_config`);
        return this.plainTextInput(element, pointer);
      case 'number_input':
        this.dispatchConfig(element.dispatch_action_config, `${pointer}/dispatch_action_config`);
        return this.numberInput(element, pointer);
      case 'datepicker':
        // block-kit/block-elements/date-picker-element: YYYY-MM-DD.
        if (element.initial_date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(String(element.initial_date))) {
          this.problem(`${pointer}/initial_date`, 'must be YYYY-MM-DD');
        }
        return;
      case 'timepicker':
        // block-kit/block-elements/time-picker-element: HH:mm.
        if (element.initial_time !== undefined && !/^([01]\d|2[0-3]):[0-5]\d$/.test(String(element.initial_time))) {
          this.problem(`${pointer}/initial_time`, 'must be HH:mm');
        }
        return;
      default:
        return;
    }
  }

  /** A list of option objects (block-kit/composition-objects/option-object); returns the valid ones. */
  options(value: unknown, pointer: string, max: number, options: { plainOnly: boolean; required: boolean }): Json[] {
    if (value === undefined && !options.required) return [];
    if (!Array.isArray(value) || value.length === 0) {
      this.problem(pointer, 'must be a non-empty array');
      return [];
    }
    if (value.length > max) this.problem(pointer, `no more than ${max} items allowed`);
    return value.filter((option, i): option is Json => {
      const at = `${pointer}/${i}`;
      if (!isObject(option)) {
        this.problem(at, 'expected an option object');
        return false;
      }
      this.text(option.text, `${at}/text`, L.optionText, { plainOnly: options.plainOnly });
      this.string(option.value, `${at}/value`, L.optionValue, { required: true, min: 1 });
      this.text(option.description, `${at}/description`, L.optionDescription, { plainOnly: options.plainOnly, required: false });
      if (option.url !== undefined) this.url(option.url, `${at}/url`);
      return true;
    });
  }

  /** select-menu-element: exactly one of `options` (up to 100) and `option_groups` (up to 100, each up to 100 options). */
  selectOptions(element: Json, pointer: string): Json[] {
    const hasOptions = element.options !== undefined;
    const hasGroups = element.option_groups !== undefined;
    if (hasOptions === hasGroups) {
      this.problem(pointer, 'must provide exactly one of options, option_groups');
      return [];
    }
    if (hasOptions) return this.options(element.options, `${pointer}/options`, L.selectOptions, { plainOnly: true, required: true });
    const groups = element.option_groups;
    if (!Array.isArray(groups) || groups.length === 0) {
      this.problem(`${pointer}/option_groups`, 'must be a non-empty array');
      return [];
    }
    if (groups.length > L.selectOptions) this.problem(`${pointer}/option_groups`, `no more than ${L.selectOptions} items allowed`);
    return groups.flatMap((group, i) => {
      const at = `${pointer}/option_groups/${i}`;
      if (!isObject(group)) {
        this.problem(at, 'expected an option group object');
        return [];
      }
      this.text(group.label, `${at}/label`, L.optionGroupLabel, { plainOnly: true });
      return this.options(group.options, `${at}/options`, L.selectOptions, { plainOnly: true, required: true });
    });
  }

  /** An initial option must be exactly one of the element's options (select-menu-element). */
  initialOption(value: unknown, options: Json[], pointer: string): void {
    if (value === undefined) return;
    if (!options.some((option) => sameOption(option, value))) this.problem(pointer, 'must match one of the options');
  }

  initialOptions(value: unknown, options: Json[], pointer: string): void {
    if (value === undefined) return;
    if (!Array.isArray(value)) {
      this.problem(pointer, 'expected an array of options');
      return;
    }
    value.forEach((initial, i) => this.initialOption(initial, options, `${pointer}/${i}`));
  }

  /**
   * block-kit/block-elements/plain-text-input-element: min_length 0-3000, max_length 1-3000.
   * Stricter than Slack: an `initial_value` longer than `max_length` is refused here, because
   * the person could not submit the form without shortening it (node-slack-sdk issue 940).
   */
  plainTextInput(element: Json, pointer: string): void {
    const { min_length: min, max_length: max, initial_value: initial } = element;
    if (min !== undefined && !(Number.isInteger(min) && (min as number) >= 0 && (min as number) <= L.inputLength)) {
      this.problem(`${pointer}/min_length`, `must be an integer between 0 and ${L.inputLength}`);
    }
    if (max !== undefined && !(Number.isInteger(max) && (max as number) >= 1 && (max as number) <= L.inputLength)) {
      this.problem(`${pointer}/max_length`, `must be an integer between 1 and ${L.inputLength}`);
    }
    if (typeof min === 'number' && typeof max === 'number' && min > max) this.problem(`${pointer}/min_length`, 'must not exceed max_length');
    const limit = typeof max === 'number' ? Math.min(max, L.inputLength) : L.inputLength;
    this.string(initial, `${pointer}/initial_value`, limit);
  }

  /**
   * block-kit/block-elements/number-input-element: `is_decimal_allowed` is required; the
   * initial, minimum and maximum values are numbers written as strings, whole ones unless
   * decimals are allowed, and the minimum is not above the maximum.
   */
  numberInput(element: Json, pointer: string): void {
    const decimal = element.is_decimal_allowed;
    if (typeof decimal !== 'boolean') this.problem(`${pointer}/is_decimal_allowed`, decimal === undefined ? 'missing required field' : 'expected a boolean');
    const number = (key: 'initial_value' | 'min_value' | 'max_value'): number | undefined => {
      const value = element[key];
      if (value === undefined) return undefined;
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
      if (!Number.isFinite(n)) this.problem(`${pointer}/${key}`, 'must be a number written as a string');
      else if (decimal === false && !Number.isInteger(n)) this.problem(`${pointer}/${key}`, 'must be a whole number when is_decimal_allowed is false');
      return Number.isFinite(n) ? n : undefined;
    };
    const initial = number('initial_value');
    const min = number('min_value');
    const max = number('max_value');
    if (min !== undefined && max !== undefined && min > max) this.problem(`${pointer}/min_value`, 'cannot be greater than max_value');
    if (initial !== undefined && ((min !== undefined && initial < min) || (max !== undefined && initial > max))) {
      this.problem(`${pointer}/initial_value`, 'must be between min_value and max_value');
    }
  }

  /** block-kit/composition-objects/dispatch-action-configuration-object: a non-empty list of the two triggers. */
  dispatchConfig(value: unknown, pointer: string): void {
    if (value === undefined) return;
    const triggers = isObject(value) ? value.trigger_actions_on : undefined;
    if (!Array.isArray(triggers) || triggers.length === 0) {
      this.problem(`${pointer}/trigger_actions_on`, 'must be a non-empty array');
      return;
    }
    triggers.forEach((trigger, i) => {
      if (trigger !== 'on_enter_pressed' && trigger !== 'on_character_entered') {
        this.problem(`${pointer}/trigger_actions_on/${i}`, 'must be one of on_enter_pressed, on_character_entered');
      }
    });
  }

  /** block-kit/composition-objects/confirmation-dialog-object. */
  confirm(value: unknown, pointer: string): void {
    if (!isObject(value)) {
      this.problem(pointer, 'expected a confirmation dialog object');
      return;
    }
    this.text(value.title, `${pointer}/title`, L.confirmTitle, { plainOnly: true });
    this.text(value.text, `${pointer}/text`, L.confirmText);
    this.text(value.confirm, `${pointer}/confirm`, L.confirmButton, { plainOnly: true });
    this.text(value.deny, `${pointer}/deny`, L.confirmButton, { plainOnly: true });
  }
}

function sameOption(option: Json, initial: unknown): boolean {
  if (!isObject(initial) || !isObject(initial.text) || !isObject(option.text)) return false;
  return option.value === initial.value && option.text.text === initial.text.text && option.text.type === initial.text.type;
}

const refusal = (error: BlockKitError, errors: string[]): BlockKitRefusal => ({ error, errors });

const truthy = (value: unknown) => value === true || value === 'true' || value === '1';

/**
 * Checks the arguments of `chat.postMessage`, `chat.update`, `chat.postEphemeral` or a
 * `response_url` POST. Answers like Slack: a lone surrogate or a missing fallback is
 * `invalid_arguments`; neither text nor blocks is `no_text`; text past 40,000 is
 * `msg_too_long`; a broken block is `invalid_blocks`; too much block text is
 * `msg_blocks_too_long`. Undefined when Slack would accept the message.
 */
export function checkMessage(args: Json): BlockKitRefusal | undefined {
  const lone = loneSurrogates(args, '');
  if (lone.length > 0) return refusal('invalid_arguments', lone.map((p) => `invalid UTF-8: lone UTF-16 surrogate [json-pointer:${p}]`));
  // A response_url that deletes the original message carries no content.
  if (truthy(args.delete_original)) return undefined;

  const { text, blocks } = args;
  const hasText = typeof text === 'string' && text.trim() !== '';
  const hasBlocks = Array.isArray(blocks) && blocks.length > 0;
  if (!hasText && !hasBlocks && args.attachments === undefined) return refusal('no_text', ['no text or blocks [json-pointer:/text]']);
  // Stricter than Slack, which only warns (missing_text_or_fallback): notifications and screen
  // readers show `text`, never the blocks (methods/chat.postMessage, "Text, blocks, and attachments").
  if (blocks !== undefined && !hasText) return refusal('invalid_arguments', ['a text fallback is required beside blocks [json-pointer:/text]']);
  if (typeof text === 'string' && text.length > L.messageText) return refusal('msg_too_long', [`text must be less than ${L.messageText + 1} characters [json-pointer:/text]`]);

  if (blocks === undefined) return undefined;
  const checker = new Checker('message');
  checker.blocks(blocks, '/blocks');
  if (checker.problems.length > 0) return refusal('invalid_blocks', checker.problems);
  if (checker.blockText > L.messageBlockText) {
    return refusal('msg_blocks_too_long', [`blocks hold ${checker.blockText} characters of text [json-pointer:/blocks]`]);
  }
  return undefined;
}

/**
 * Checks the `view` of `views.open`, `views.update`, `views.push` or `views.publish`
 * (surfaces/modals, surfaces/app-home). Slack answers a bad view, blocks
 * included, with `invalid_arguments`.
 */
export function checkView(view: unknown): BlockKitRefusal | undefined {
  if (!isObject(view)) return refusal('invalid_arguments', ['missing required field: view [json-pointer:/view]']);
  const lone = loneSurrogates(view, '/view');
  if (lone.length > 0) return refusal('invalid_arguments', lone.map((p) => `invalid UTF-8: lone UTF-16 surrogate [json-pointer:${p}]`));
  if (view.type !== 'modal' && view.type !== 'home') {
    return refusal('invalid_arguments', ['must be one of modal, home [json-pointer:/view/type]']);
  }
  const checker = new Checker(view.type);
  if (view.type === 'modal') {
    checker.text(view.title, '/view/title', L.viewTitle, { plainOnly: true });
    checker.text(view.close, '/view/close', L.viewTitle, { plainOnly: true, required: false });
    // A modal with an input block needs a submit button (surfaces/modals, "submit").
    const hasInput = Array.isArray(view.blocks) && view.blocks.some((b) => isObject(b) && b.type === 'input');
    checker.text(view.submit, '/view/submit', L.viewTitle, { plainOnly: true, required: hasInput });
  }
  checker.string(view.private_metadata, '/view/private_metadata', L.privateMetadata);
  checker.string(view.callback_id, '/view/callback_id', L.callbackId);
  checker.string(view.external_id, '/view/external_id', L.externalId);
  checker.blocks(view.blocks, '/view/blocks');
  return checker.problems.length > 0 ? refusal('invalid_arguments', checker.problems) : undefined;
}
