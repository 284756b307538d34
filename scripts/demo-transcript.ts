/**
 * Renders recorded Slack Web API calls (from the local Slack fake) as the plain text each
 * person would see in Slack: channel messages, thread replies, DMs, modals and
 * "only visible to you" answers. Pure: no I/O, no clock.
 */

export interface TranscriptPerson {
  name: string;
  /** IANA zone the person's Slack client shows dates in; UTC when absent. */
  tz?: string | undefined;
}

export interface TranscriptDirectory {
  /** The app's display name, e.g. 'Helpdesk'. */
  botName: string;
  /** Slack user id -> person. */
  users: Record<string, TranscriptPerson>;
  /** Channel id -> name without '#'. */
  channels: Record<string, string>;
  /** A DM's channel id (D…) -> the Slack user id of the person the app talks to in it. */
  dms?: Record<string, string> | undefined;
  /** Zone channel messages are shown in (a channel has many readers); UTC by default. */
  channelTimeZone?: string | undefined;
}

/** The parts of a recorded call the renderer reads (a `FakeSlackCall` fits). */
export interface RecordedCall {
  method: string;
  args: Record<string, unknown>;
}

export interface RenderOptions {
  /**
   * Who triggered the call, for surfaces whose call does not name the person: the modal
   * of `views.open` and the ephemeral answer posted to a `response_url`.
   */
  viewer?: string | undefined;
  /** Whose App Home is shown in full when it is published (others' read as one line). */
  home?: string | undefined;
}

/** Indentation of the lines under a message's first line. */
export const INDENT = '    ';

const EMOJI: Record<string, string> = {
  ticket: '🎫',
  lock: '🔒',
  warning: '⚠️',
  white_check_mark: '✅',
  rotating_light: '🚨',
  red_circle: '🔴',
  large_orange_circle: '🟠',
  link: '🔗',
  speech_balloon: '💬',
  white_circle: '⚪',
  hourglass_flowing_sand: '⏳',
};

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const textOf = (element: unknown): string => (isObject(element) ? (str(element.text) ?? '') : '');

function nameOf(directory: TranscriptDirectory, userId: string): string {
  return directory.users[userId]?.name ?? userId;
}

function channelLabel(directory: TranscriptDirectory, channelId: string): string {
  const name = directory.channels[channelId];
  return name ? `#${name}` : `#${channelId}`;
}

/** Undoes mrkdwn's escaping of `&`, `<` and `>` (`&amp;` last, so `&amp;lt;` stays `&lt;`). */
export function unescapeMrkdwn(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const WEEKDAYS: Record<string, string> = { Sun: 'Sun', Mon: 'Mon', Tue: 'Tue', Wed: 'Wed', Thu: 'Thu', Fri: 'Fri', Sat: 'Sat' };

/**
 * A Slack date token's instant as a reader in `tz` would read it, e.g. "Tue 14 May, 16:35 UTC"
 * or "Tue 14 May, 18:35 Europe/Berlin". An unknown zone falls back to UTC.
 */
export function formatInstant(unixSeconds: number, tz = 'UTC'): string {
  const at = new Date(unixSeconds * 1000);
  let zone = tz;
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = partsIn(at, zone);
  } catch {
    zone = 'UTC';
    parts = partsIn(at, zone);
  }
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  const weekday = WEEKDAYS[part('weekday')] ?? part('weekday');
  const month = MONTHS[Number(part('month')) - 1] ?? part('month');
  return `${weekday} ${Number(part('day'))} ${month}, ${part('hour')}:${part('minute')} ${zone}`;
}

function partsIn(at: Date, timeZone: string): Intl.DateTimeFormatPart[] {
  return new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
}

/**
 * mrkdwn as readable text: mentions by name, channels by name, date tokens in the
 * reader's zone, links by their label, emphasis markers dropped, known emoji as emoji,
 * entities unescaped.
 */
export function renderMrkdwn(text: string, directory: TranscriptDirectory, tz?: string): string {
  let out = text.replace(/<([^<>]*)>/g, (_token, inner: string) => {
    const [target = '', label] = splitOnce(inner, '|');
    if (target.startsWith('@')) return `@${label ?? nameOf(directory, target.slice(1))}`;
    if (target.startsWith('#')) return label ? `#${label}` : channelLabel(directory, target.slice(1));
    if (target.startsWith('!date^')) {
      const unix = Number(target.split('^')[1]);
      return Number.isFinite(unix) ? formatInstant(unix, tz) : (label ?? target);
    }
    if (target.startsWith('!subteam^')) return `@${label ?? 'group'}`;
    if (target.startsWith('!')) return `@${target.slice(1)}`;
    return label ?? target;
  });
  // *bold*, _italic_ and ~strike~ around words: keep the words.
  out = out.replace(/(^|[\s(>])([*_~])(?=\S)([^*_~\n]*?\S)\2(?=$|[\s).,:;!?'"…—-])/gm, '$1$3');
  out = out.replace(/:([a-z0-9_+-]+):/g, (code, name: string) => EMOJI[name] ?? code);
  return unescapeMrkdwn(out);
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + separator.length)];
}

/** A text object (plain_text or mrkdwn) as readable text. */
function renderText(element: unknown, directory: TranscriptDirectory, tz: string | undefined): string {
  if (!isObject(element)) return '';
  const text = str(element.text) ?? '';
  return element.type === 'mrkdwn' ? renderMrkdwn(text, directory, tz) : text;
}

function renderElement(element: unknown, directory: TranscriptDirectory, tz: string | undefined): string {
  if (!isObject(element)) return '';
  switch (element.type) {
    case 'button':
      return `[${textOf(element.text)}${str(element.url) ? ' ↗' : ''}]`;
    case 'users_select': {
      const initial = str(element.initial_user);
      return `[${initial ? `@${nameOf(directory, initial)}` : textOf(element.placeholder) || 'Choose a person'} ▾]`;
    }
    case 'static_select': {
      const initial = isObject(element.initial_option) ? textOf(element.initial_option.text) : '';
      return `[${initial || textOf(element.placeholder) || 'Choose'} ▾]`;
    }
    case 'conversations_select': {
      const initial = str(element.initial_conversation);
      return `[${initial ? channelLabel(directory, initial) : textOf(element.placeholder) || 'Choose a channel'} ▾]`;
    }
    case 'multi_users_select': {
      const initial = Array.isArray(element.initial_users) ? element.initial_users.filter((u): u is string => typeof u === 'string') : [];
      return `[${initial.length > 0 ? initial.map((u) => `@${nameOf(directory, u)}`).join(', ') : textOf(element.placeholder) || 'Choose people'} ▾]`;
    }
    case 'radio_buttons':
    case 'checkboxes': {
      const chosen = new Set(
        (element.type === 'radio_buttons' ? [element.initial_option] : Array.isArray(element.initial_options) ? element.initial_options : []).flatMap((o) => (isObject(o) ? [str(o.value)] : [])),
      );
      const [on, off] = element.type === 'radio_buttons' ? ['(•)', '( )'] : ['[x]', '[ ]'];
      const options = Array.isArray(element.options) ? element.options : [];
      return options.map((o) => (isObject(o) ? `${chosen.has(str(o.value)) ? on : off} ${textOf(o.text)}` : '')).join('  ');
    }
    case 'number_input':
      return str(element.initial_value) ?? '‹empty›';
    case 'overflow':
      return '[⋯]';
    case 'image':
      return `[image: ${str(element.alt_text) ?? ''}]`;
    default:
      return renderText(element, directory, tz);
  }
}

/** A modal input: "Title: My laptop…", "Type: [Service request ▾] (Incident | Service request | …)". */
function renderInput(block: Json, directory: TranscriptDirectory, tz: string | undefined): string {
  const label = `${textOf(block.label)}${block.optional ? ' (optional)' : ''}`;
  const element = isObject(block.element) ? block.element : {};
  if (element.type === 'plain_text_input') {
    const initial = str(element.initial_value);
    const value = initial ? initial.replace(/\n/g, ' ⏎ ') : `‹${textOf(element.placeholder) || 'empty'}›`;
    return `${label}: ${value}`;
  }
  if (element.type === 'static_select' && Array.isArray(element.option_groups)) {
    const count = element.option_groups.reduce((n: number, g) => n + (isObject(g) && Array.isArray(g.options) ? g.options.length : 0), 0);
    return `${label}: ${renderElement(element, directory, tz)} (${count} choices)`;
  }
  if (element.type === 'static_select' && Array.isArray(element.options)) {
    const options = element.options.map((o) => (isObject(o) ? textOf(o.text) : '')).join(' | ');
    return `${label}: ${renderElement(element, directory, tz)} (${options})`;
  }
  return `${label}: ${renderElement(element, directory, tz)}`;
}

/** Block Kit blocks as text lines (multi-line texts give several lines). */
export function renderBlocks(blocks: unknown, directory: TranscriptDirectory, tz?: string): string[] {
  if (!Array.isArray(blocks)) return [];
  const lines: string[] = [];
  const push = (text: string) => {
    for (const line of text.split('\n')) lines.push(line);
  };
  for (const block of blocks) {
    if (!isObject(block)) continue;
    switch (block.type) {
      case 'header':
        push(renderText(block.text, directory, tz));
        break;
      case 'section': {
        if (block.text) push(renderText(block.text, directory, tz));
        if (Array.isArray(block.fields)) {
          // "*Label*\nvalue" fields read as "Label: value", two to a line as Slack lays them out.
          const fields = block.fields.map((f) => renderText(f, directory, tz).replace(/\n/, ': ').replace(/\n/g, ' '));
          for (let i = 0; i < fields.length; i += 2) push(fields.slice(i, i + 2).join('   '));
        }
        if (block.accessory) push(renderElement(block.accessory, directory, tz));
        break;
      }
      case 'context':
        if (Array.isArray(block.elements)) push(block.elements.map((e) => renderElement(e, directory, tz)).join(' '));
        break;
      case 'actions':
        if (Array.isArray(block.elements)) push(block.elements.map((e) => renderElement(e, directory, tz)).join(' '));
        break;
      case 'input':
        push(renderInput(block, directory, tz));
        break;
      case 'divider':
        push('───');
        break;
      default:
        push(`[${String(block.type)} block]`);
    }
  }
  return lines;
}

/** The message body: its blocks when it has any, else its text. */
function messageLines(args: Json, directory: TranscriptDirectory, tz: string | undefined): string[] {
  const blocks = renderBlocks(args.blocks, directory, tz);
  if (blocks.length > 0) return blocks;
  return renderMrkdwn(str(args.text) ?? '', directory, tz).split('\n');
}

/** "where  who: first line", then the other lines indented. */
function entry(heading: string, body: string[]): string[] {
  const [first = '', ...rest] = body;
  return [`${heading}: ${first}`, ...rest.filter((line) => line.trim() !== '').map((line) => `${INDENT}${line}`)];
}

/**
 * One recorded call as the lines a person would see; `[]` for calls nobody sees
 * (`chat.getPermalink`, `auth.test`, …).
 */
export function renderCall(call: RecordedCall, directory: TranscriptDirectory, options: RenderOptions = {}): string[] {
  const { args } = call;
  const bot = directory.botName;
  const viewer = options.viewer;
  const viewerName = viewer ? nameOf(directory, viewer) : 'Someone';
  const viewerTz = viewer ? directory.users[viewer]?.tz : undefined;
  switch (call.method) {
    case 'chat.postMessage':
    case 'chat.update': {
      const channel = str(args.channel) ?? '?';
      const edited = call.method === 'chat.update' ? ' (card updated)' : '';
      // A DM is named by its person (U…) when the app opens it, by its own id (D…) in its thread.
      const dmWith = /^[UW]/.test(channel) ? channel : directory.dms?.[channel];
      if (dmWith) {
        const where = `DM to ${nameOf(directory, dmWith)}${str(args.thread_ts) ? ' › thread' : ''}`;
        return entry(`${where}  ${bot}${edited}`, messageLines(args, directory, directory.users[dmWith]?.tz));
      }
      const where = `${channelLabel(directory, channel)}${str(args.thread_ts) ? ' › thread' : ''}`;
      return entry(`${where}  ${bot}${edited}`, messageLines(args, directory, directory.channelTimeZone));
    }
    case 'reactions.add': {
      const channel = str(args.channel) ?? '?';
      const where = directory.dms?.[channel] ? `DM with ${nameOf(directory, directory.dms[channel])}` : channelLabel(directory, channel);
      return [`${where}  ${bot} reacted ${renderMrkdwn(`:${str(args.name) ?? '?'}:`, directory)} to the message`];
    }
    case 'chat.postEphemeral': {
      const user = str(args.user) ?? '?';
      return entry(`Only visible to ${nameOf(directory, user)}  ${bot}`, messageLines(args, directory, directory.users[user]?.tz));
    }
    case 'response_url':
      return entry(`Only visible to ${viewerName}  ${bot}`, messageLines(args, directory, viewerTz));
    case 'views.publish': {
      // The Home tab: in full for the person the step is about, else a line that it changed.
      const user = str(args.user_id) ?? '?';
      const view = isObject(args.view) ? args.view : {};
      if (options.home !== user) return [`${nameOf(directory, user)}'s Home tab is brought up to date`];
      return [`${nameOf(directory, user)}'s Home tab:`, ...renderBlocks(view.blocks, directory, directory.users[user]?.tz).map((line) => `${INDENT}${line}`)];
    }
    case 'views.open':
    case 'views.push':
    case 'views.update': {
      const view = isObject(args.view) ? args.view : {};
      const buttons = [textOf(view.submit), textOf(view.close)].filter(Boolean).map((b) => `[${b}]`).join(' ');
      const heading = `${viewerName} sees modal "${textOf(view.title)}"${buttons ? `  ${buttons}` : ''}`;
      return [heading, ...renderBlocks(view.blocks, directory, viewerTz).map((line) => `${INDENT}${line}`)];
    }
    default:
      return [];
  }
}
