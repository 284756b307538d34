/** The App Home tab of one person: a pure builder, with its page sizes kept in the view's private_metadata. */
import type { SlaClock } from '../../db/schema/enums.js';
import type { HomeList, HomeTicket, RiskTicket } from '../../domain/home.js';
import { isWorkable, statusButtons } from '../blocks/card.js';
import { actions, button, plain, section, SLACK_LIMITS, type Button, type KnownBlock } from '../blocks/elements.js';
import { formatDuration, mention, PRIORITY_EMOJI, PRIORITY_LABELS, slackDate, STATUS_LABELS, ticketLine } from '../blocks/text.js';
import { ACTION, HOME_ACTION } from '../ids.js';

export const HOME_SECTIONS = ['requests', 'queue', 'unassigned', 'risk'] as const;
export type HomeSection = (typeof HOME_SECTIONS)[number];

/** How many tickets each list shows at first, and how many more each "Show more" adds. */
export const HOME_PAGE = { first: 5, more: 10, max: 45 } as const;

export type HomePages = Record<HomeSection, number>;

export const DEFAULT_PAGES: HomePages = { requests: HOME_PAGE.first, queue: HOME_PAGE.first, unassigned: HOME_PAGE.first, risk: HOME_PAGE.first };

/** Blocks a Home may hold (views/home-tab-views), the admin part included. */
export const HOME_MAX_BLOCKS = SLACK_LIMITS.modalBlocks;
/** A notice on top of the Home (what went wrong with a click) takes at most this many blocks. */
const NOTICE_MAX_BLOCKS = 2;

const TITLES: Record<HomeSection, string> = {
  requests: 'My requests',
  queue: 'My queue',
  unassigned: 'Unassigned in my teams',
  risk: 'At risk and breached',
};

const EMPTY: Record<HomeSection, string> = {
  requests: 'Nothing open. Raise a ticket with *New ticket* or `/ticket`.',
  queue: 'Nothing waiting on you.',
  unassigned: 'Every ticket of your teams has someone on it.',
  risk: 'Every SLA target of your teams is on track.',
};

const CLOCK_LABELS: Record<SlaClock, string> = {
  first_response: 'First response',
  resolution: 'Resolution',
  next_response: 'Next response',
};

/** The page sizes a Home was published with (its private_metadata); anything unreadable is the first page. */
export function parseHomePages(metadata: unknown): HomePages {
  const pages = { ...DEFAULT_PAGES };
  if (typeof metadata !== 'string' || metadata === '') return pages;
  let parsed: unknown;
  try {
    parsed = JSON.parse(metadata);
  } catch {
    return pages;
  }
  const sizes = (parsed as { pages?: unknown } | null)?.pages;
  if (!sizes || typeof sizes !== 'object') return pages;
  for (const key of HOME_SECTIONS) {
    const value = (sizes as Record<string, unknown>)[key];
    if (typeof value === 'number' && Number.isInteger(value)) pages[key] = Math.min(HOME_PAGE.max, Math.max(HOME_PAGE.first, value));
  }
  return pages;
}

/** The sizes after "Show more" under one list. */
export function morePages(pages: HomePages, sectionName: unknown): HomePages {
  if (!HOME_SECTIONS.includes(sectionName as HomeSection)) return pages;
  const key = sectionName as HomeSection;
  return { ...pages, [key]: Math.min(HOME_PAGE.max, pages[key] + HOME_PAGE.more) };
}

export interface HomeInput {
  now: Date;
  requests: HomeList;
  /** Present for agents (of any team). */
  agent?: { queue: HomeList; unassigned: HomeList; risk: HomeList<RiskTicket> } | undefined;
  /** Slack user ids by person id (assignees). */
  slackIds: ReadonlyMap<string, string>;
  pages: HomePages;
  /** Shown on top: what went wrong with the person's last click (Home has no other place to say it). */
  notice?: KnownBlock[] | undefined;
  /** The admin part, for admins (at most 45 blocks), appended at the end. */
  adminBlocks?: KnownBlock[] | undefined;
}

export interface HomeView {
  type: 'home';
  blocks: KnownBlock[];
  private_metadata: string;
}

interface Rendered {
  /** Each ticket's blocks, in list order. */
  tickets: KnownBlock[][];
  total: number;
}

/**
 * The Home: header and "New ticket", then My requests, and for agents My queue, Unassigned in
 * my teams and At risk and breached, each with its count and "Show more"; the admin part last.
 * Lists are cut to the page sizes, and further when the whole would pass 100 blocks: the lists
 * nobody expanded give way first, down to two tickets each.
 */
export function homeView(input: HomeInput): HomeView {
  const notice = (input.notice ?? []).slice(0, NOTICE_MAX_BLOCKS);
  const admin = input.adminBlocks ?? [];
  const lists: [HomeSection, Rendered][] = [['requests', render(input.requests, (t) => requestBlocks(t, input))]];
  if (input.agent) {
    lists.push(
      ['queue', render(input.agent.queue, (t) => agentBlocks('queue', t, input))],
      ['unassigned', render(input.agent.unassigned, (t) => agentBlocks('unassigned', t, input))],
      ['risk', render(input.agent.risk, (t) => agentBlocks('risk', t as RiskTicket, input))],
    );
  }

  const shown = new Map(lists.map(([key, list]) => [key, Math.min(list.tickets.length, input.pages[key])]));
  const cost = () =>
    lists.reduce((sum, [key, list]) => {
      const count = shown.get(key)!;
      const more = count < list.total ? 1 : 0;
      const divider = 1;
      return sum + 1 + more + divider + list.tickets.slice(0, count).reduce((n, blocks) => n + blocks.length, 0);
    }, 0);
  const budget = HOME_MAX_BLOCKS - admin.length - notice.length - 2;
  while (cost() > budget) {
    const shrinkable = lists.filter(([key]) => shown.get(key)! > 0);
    const unexpanded = shrinkable.filter(([key]) => input.pages[key] <= HOME_PAGE.first && shown.get(key)! > 2);
    const pool = unexpanded.length > 0 ? unexpanded : shrinkable;
    const [key] = pool.reduce((a, b) => (shown.get(b[0])! >= shown.get(a[0])! ? b : a));
    shown.set(key, shown.get(key)! - 1);
  }

  const blocks: KnownBlock[] = [
    { type: 'header', text: plain('Helpdesk') },
    ...notice,
    actions([button('New ticket', HOME_ACTION.newTicket, 'new', 'primary')], 'home:top'),
  ];
  for (const [key, list] of lists) {
    blocks.push({ type: 'divider' });
    const count = shown.get(key)!;
    const title = `*${TITLES[key]}* (${list.total})`;
    blocks.push(section(list.total === 0 ? `${title}\n_${EMPTY[key]}_` : title));
    for (const ticketBlocks of list.tickets.slice(0, count)) blocks.push(...ticketBlocks);
    if (count < list.total) {
      const left = list.total - count;
      const more = input.pages[key] < HOME_PAGE.max ? button(`Show more (${left} more)`, HOME_ACTION.more, key) : undefined;
      blocks.push(more ? actions([more], `home:${key}:more`) : section(`_and ${left} more, not shown here: see the team channel's cards_`));
    }
  }
  blocks.push(...admin);
  return { type: 'home', blocks, private_metadata: JSON.stringify({ pages: input.pages }) };
}

function render<T extends HomeTicket>(list: HomeList<T>, blocksOf: (item: T) => KnownBlock[]): Rendered {
  return { tickets: list.items.map(blocksOf), total: list.total };
}

function assigneeText(item: HomeTicket, input: HomeInput): string {
  const id = item.ticket.assignedToId;
  if (!id) return '_unassigned_';
  const slackId = input.slackIds.get(id);
  return slackId ? mention(slackId) : '_someone outside Slack_';
}

function deadlineText(item: HomeTicket): string | undefined {
  if (!item.next) return undefined;
  return `${CLOCK_LABELS[item.next.clock]} due ${slackDate(item.next.at)}`;
}

function priorityText(item: HomeTicket): string {
  const { priority } = item.ticket;
  const emoji = PRIORITY_EMOJI[priority];
  return emoji ? `${emoji} ${PRIORITY_LABELS[priority]}` : PRIORITY_LABELS[priority];
}

/** One of my requests: status, assignee, the next deadline; Close and Reopen once resolved. */
function requestBlocks(item: HomeTicket, input: HomeInput): KnownBlock[] {
  const { ticket } = item;
  const facts = [STATUS_LABELS[ticket.status], `Assignee: ${assigneeText(item, input)}`];
  if (ticket.status === 'resolved' && ticket.resolvedAt) facts.push(`resolved ${slackDate(ticket.resolvedAt)}`);
  else if (ticket.status === 'closed' && ticket.closedAt) facts.push(`closed ${slackDate(ticket.closedAt)}`);
  else {
    const due = deadlineText(item);
    if (due) facts.push(due);
  }
  const blocks: KnownBlock[] = [section(`${ticketLine(ticket)}\n${facts.join(' · ')}`)];
  if (ticket.status === 'resolved') {
    blocks.push(actions([button('Close', ACTION.close, ticket.id, 'primary'), button('Reopen', ACTION.reopen, ticket.id)], `home:requests:${ticket.id}`));
  }
  return blocks;
}

/** A ticket in an agent's list: what matters for the list, and the card's buttons. */
function agentBlocks(key: Exclude<HomeSection, 'requests'>, item: HomeTicket | RiskTicket, input: HomeInput): KnownBlock[] {
  const { ticket } = item;
  const facts = [STATUS_LABELS[ticket.status], priorityText(item)];
  if (key !== 'queue') facts.push(`Assignee: ${assigneeText(item, input)}`);
  let lines = facts.join(' · ');
  if (key === 'risk' && 'risk' in item) {
    const { risk } = item;
    const minutes = Math.abs(input.now.getTime() - risk.at.getTime()) / 60_000;
    lines += risk.breached
      ? `\n:rotating_light: *${CLOCK_LABELS[risk.clock]} breached*, ${formatDuration(minutes)} late (was due ${slackDate(risk.at)})`
      : `\n:warning: *${CLOCK_LABELS[risk.clock]} at risk*, ${formatDuration(minutes)} left (due ${slackDate(risk.at)})`;
  } else {
    const due = deadlineText(item);
    if (due) lines += ` · ${due}`;
  }
  const blocks: KnownBlock[] = [section(`${ticketLine(ticket)}\n${lines}`)];
  const buttons: Button[] = isWorkable(ticket.status) ? statusButtons(ticket) : [];
  if (buttons.length > 0) blocks.push(actions(buttons, `home:${key}:${ticket.id}`));
  return blocks;
}
