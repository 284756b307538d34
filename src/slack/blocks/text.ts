/**
 * Text for Slack: the one escaping function every piece of user text in mrkdwn goes through,
 * cutting to Slack's limits, dates each reader sees in their own time zone, and labels.
 */
import type { TicketPriority, TicketStatus, TicketType } from '../../db/schema/enums.js';
import type { Ticket } from '../../domain/tickets/queries.js';

export const TYPE_LABELS: Record<TicketType, string> = {
  incident: 'Incident',
  service_request: 'Service request',
  change: 'Change',
  problem: 'Problem',
};

export const PRIORITY_LABELS: Record<TicketPriority, string> = {
  low: 'Low',
  medium: 'Medium',
  high: 'High',
  urgent: 'Urgent',
};

export const STATUS_LABELS: Record<TicketStatus, string> = {
  open: 'Open',
  in_progress: 'In progress',
  pending: 'Pending',
  resolved: 'Resolved',
  closed: 'Closed',
};

export const PRIORITY_EMOJI: Partial<Record<TicketPriority, string>> = {
  urgent: ':red_circle:',
  high: ':large_orange_circle:',
};

/** Title length used inside mrkdwn lines (the domain's own maximum). */
export const TITLE_MAX = 200;
export const API_ACTOR = 'Someone via the API';

/** The ticket fields the builders read; a full `Ticket` row fits. */
export type TicketView = Pick<
  Ticket,
  | 'id'
  | 'number'
  | 'title'
  | 'description'
  | 'type'
  | 'status'
  | 'priority'
  | 'category'
  | 'assignedToId'
  | 'firstResponseAt'
  | 'firstResponseDueAt'
  | 'dueAt'
  | 'resolvedAt'
  | 'closedAt'
> &
  /** The next-response deadline (an extension): absent in views that do not show it. */
  Partial<Pick<Ticket, 'nextResponseDueAt'>>;

/**
 * Escapes the characters mrkdwn treats as control characters: `&`, `<`, `>`. Every piece of
 * user text that goes into mrkdwn (block text and `text` fallbacks alike) goes through here,
 * so it cannot form `<!channel>`, `<@U…>`, `<#C…>` or a disguised `<url|label>` link.
 */
export function escapeMrkdwn(text: string): string {
  return wellFormed(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** `<!channel>`, `<!here>`, `<!everyone>` (with or without a `|label`), and user-group mentions. */
const BROADCASTS = /<!(channel|here|everyone)(?:\|[^>]*)?>|<!subteam\^[A-Z0-9]+(?:\|([^>]*))?>/g;

/**
 * Mrkdwn a person wrote in Slack, for the app to repost (a mirrored message): kept as written
 * (their links, mentions of people and formatting stay), but a broadcast or user-group mention
 * becomes plain text, so a copy never pings a whole channel or group. Slack only pings on the
 * `<!…>` token; the plain `@here` left behind is inert (the app never sets `link_names`).
 */
export function mirroredMrkdwn(text: string): string {
  return wellFormed(text).replace(BROADCASTS, (_token, broadcast: string | undefined, label: string | undefined) =>
    broadcast ? `@${broadcast}` : label ? `${label.startsWith('@') ? '' : '@'}${label}` : '@group',
  );
}

const LONE_SURROGATES = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** `text` without lone UTF-16 surrogates (each becomes U+FFFD, as `toWellFormed` does): Slack refuses them. */
export function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATES, '\uFFFD');
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** An ASCII character other than a line feed: always the start of a grapheme (UAX #29). */
const startsGrapheme = (code: number) => code < 0x80 && code !== 0x0a;

/**
 * Shortens `text` to at most `max` UTF-16 units, ending in '…'. The one place anything sent to
 * Slack is cut: whole graphemes only, so no emoji (nor flag, skin tone or family) is split.
 */
export function truncate(text: string, max: number): string {
  const whole = wellFormed(text);
  if (whole.length <= max) return whole;
  if (max < 1) return '';
  // Only the stretch before the cut is segmented, from the last ASCII character (not a line
  // feed) at or before it: no rule of UAX #29 joins anything to such a character from its left,
  // so a grapheme starts there and the boundaries after it do not depend on what came before.
  // Segmenting from the start made every cut linear in `max` (seconds for a page of text).
  let end = max - 1;
  while (end > 0 && !startsGrapheme(whole.charCodeAt(end))) end -= 1;
  for (const { segment } of graphemes.segment(whole.slice(end, max + 1))) {
    if (end + segment.length > max - 1) break;
    end += segment.length;
  }
  return `${whole.slice(0, end)}…`;
}

/**
 * Truncates mrkdwn without leaving half an entity (`&am…`) or half a `<…>` token behind.
 * User text is escaped first, so every `&` and `<` left in the text is one of ours.
 */
export function fitMrkdwn(text: string, max: number): string {
  if (text.length <= max) return text;
  return truncate(text, max).replace(/&[a-z]*…$/, '…').replace(/<[^>]*…$/, '…');
}

/** User-supplied text for mrkdwn: escaped, then fitted to `max`. */
export function userText(text: string, max: number): string {
  return fitMrkdwn(escapeMrkdwn(text), max);
}

/**
 * A date every reader sees in their own time zone, e.g. "Today at 2:05 PM";
 * clients that cannot render it show the UTC ISO instant.
 */
export function slackDate(date: Date, format = '{date_short_pretty} at {time}'): string {
  const unix = Math.floor(date.getTime() / 1000);
  const fallback = date.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return `<!date^${unix}^${format}|${fallback}>`;
}

export function mention(slackUserId: string): string {
  return `<@${slackUserId}>`;
}

export function link(url: string, label: string): string {
  return `<${escapeMrkdwn(url)}|${escapeMrkdwn(label)}>`;
}

/** `TKT-0042 · Printer on fire`, escaped for mrkdwn. */
export function ticketLine(ticket: Pick<TicketView, 'number' | 'title'>, bold = true): string {
  const number = bold ? `*${ticket.number}*` : ticket.number;
  return `${number} · ${userText(ticket.title, TITLE_MAX)}`;
}

export function present(value: string | null | undefined): string | undefined {
  return value && value.trim() ? value : undefined;
}

/** "45m", "2h 15m", "3d 4h" (days only in absolute time: a business day is not 24 hours). */
export function formatDuration(minutes: number, businessTime = false): string {
  const whole = Math.floor(Math.max(0, minutes));
  if (whole < 1) return 'less than a minute';
  const days = businessTime ? 0 : Math.floor(whole / 1440);
  const hours = Math.floor((whole - days * 1440) / 60);
  const mins = whole % 60;
  if (days >= 2) return hours ? `${days}d ${hours}h` : `${days}d`;
  const allHours = days * 24 + hours;
  if (allHours === 0) return `${mins}m`;
  return mins ? `${allHours}h ${mins}m` : `${allHours}h`;
}


/**
 * A message's text as Slack sends it (mrkdwn with `<…>` tokens and `&amp;`/`&lt;`/`&gt;`),
 * as plain words for a ticket's title and description: `<@U1>` → `@U1`, `<#C1|it-help>` →
 * `#it-help`, `<!here>` → `@here`, `<https://x|docs>` → `docs (https://x)`, entities decoded.
 * Shown again in mrkdwn, it goes through escapeMrkdwn like any user text, so nothing in it pings.
 */
export function plainFromMrkdwn(text: string): string {
  return wellFormed(text)
    .replace(/<([^<>]*)>/g, (_token, inner: string) => {
      const [target = '', label] = inner.split('|', 2) as [string, string | undefined];
      if (target.startsWith('@')) return label ? `@${label.replace(/^@/, '')}` : target;
      if (target.startsWith('#')) return `#${label ?? target.slice(1)}`;
      if (target.startsWith('!subteam^')) return label ? `@${label.replace(/^@/, '')}` : '@group';
      if (target.startsWith('!')) return label ?? `@${target.slice(1).split('^')[0]}`;
      return label && label !== target ? `${label} (${target})` : target;
    })
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
