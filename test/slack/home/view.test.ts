import { describe, expect, it } from 'vitest';
import type { HomeList, HomeTicket, RiskTicket } from '../../../src/domain/home.js';
import type { KnownBlock } from '../../../src/slack/blocks/elements.js';
import { ACTION, HOME_ACTION } from '../../../src/slack/ids.js';
import { DEFAULT_PAGES, homeView, morePages, parseHomePages, type HomeInput } from '../../../src/slack/home/view.js';
import { makeTicket } from '../../support/block-fixtures.js';
import { checkView } from '../../support/block-kit.js';

const NOW = new Date('2025-03-04T12:00:00Z');

function list(count: number, total = count, extra: Partial<HomeTicket['ticket']> = {}): HomeList {
  return {
    items: Array.from({ length: count }, (_, i) => ({
      ticket: makeTicket({ id: `tkt_${extra.status ?? 'open'}_${i}`, number: `TKT-${String(i + 1).padStart(4, '0')}`, assignedToId: null, ...extra }),
      next: { clock: 'first_response', at: new Date(NOW.getTime() + 60_000 * (i + 1)) },
    })),
    total,
  };
}

function risks(count: number, total = count, extra: Partial<HomeTicket['ticket']> = {}): HomeList<RiskTicket> {
  const base = list(count, total, extra);
  return { total, items: base.items.map((item, i) => ({ ...item, risk: { clock: 'resolution', at: new Date(NOW.getTime() - 125 * 60_000), breached: i % 2 === 0 } })) };
}

const adminBlocks = (n: number): KnownBlock[] => Array.from({ length: n }, (_, i) => ({ type: 'section', text: { type: 'mrkdwn', text: `admin ${i}` } }));

function input(overrides: Partial<HomeInput> = {}): HomeInput {
  return { now: NOW, requests: list(0), slackIds: new Map(), pages: DEFAULT_PAGES, ...overrides };
}

const text = (view: { blocks: KnownBlock[] }) => JSON.stringify(view.blocks);

describe('the Home view', () => {
  it('shows a requester only their requests, with an empty state and the New ticket button', () => {
    const view = homeView(input());
    expect(checkView(view)).toBeUndefined();
    expect(view.type).toBe('home');
    expect(text(view)).toContain(HOME_ACTION.newTicket);
    expect(text(view)).toContain('*My requests* (0)');
    expect(text(view)).not.toContain('My queue');
  });

  it('offers Close and Reopen on resolved requests only, and the card buttons on agents\' tickets', () => {
    const requests: HomeList = { items: [...list(1).items, ...list(1, 1, { status: 'resolved', resolvedAt: NOW }).items], total: 2 };
    const view = homeView(input({ requests, agent: { queue: list(1, 1, { assignedToId: 'per_me' }), unassigned: list(1), risk: risks(1, 1, { assignedToId: 'per_me' }) }, slackIds: new Map([['per_me', 'UME']]) }));
    expect(checkView(view)).toBeUndefined();
    const actionBlocks = view.blocks.filter((b) => b.type === 'actions').map((b) => JSON.stringify(b));
    const requestActions = actionBlocks.filter((b) => b.includes('home:requests:'));
    expect(requestActions).toHaveLength(1);
    expect(requestActions[0]).toContain(ACTION.close);
    expect(requestActions[0]).toContain(ACTION.reopen);
    expect(actionBlocks.find((b) => b.includes('home:unassigned:'))).toContain(ACTION.claim);
    expect(actionBlocks.find((b) => b.includes('home:queue:'))).not.toContain(ACTION.claim);
    expect(actionBlocks.find((b) => b.includes('home:queue:'))).toContain(ACTION.resolve);
    expect(text(view)).toContain('<@UME>');
    expect(text(view)).toContain('*Resolution breached*, 2h 5m late');
    expect(text(view)).toContain('<!date^');
  });

  it('stays within 100 blocks beside a full admin part, giving way in the lists nobody expanded first', () => {
    const pages = morePages(DEFAULT_PAGES, 'unassigned');
    const full = input({
      requests: list(5, 30, { status: 'resolved', resolvedAt: NOW }),
      agent: { queue: list(5, 40), unassigned: list(15, 50), risk: risks(5, 9) },
      pages,
      notice: [{ type: 'section', text: { type: 'mrkdwn', text: ':warning: nope' } }],
      adminBlocks: adminBlocks(45),
    });
    const view = homeView(full);
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    expect(checkView(view)).toBeUndefined();
    const shown = (key: string) => view.blocks.filter((b) => b.type === 'actions' && String(b.block_id).startsWith(`home:${key}:tkt_`)).length;
    expect(shown('unassigned')).toBeGreaterThan(shown('queue'));
    expect(shown('queue')).toBeGreaterThanOrEqual(2);
    expect(view.blocks.at(-1)).toEqual(adminBlocks(45).at(-1));
    expect(text(view)).toContain('nope');
    // Without the admin part everything asked for fits.
    const roomy = homeView({ ...full, adminBlocks: [] });
    expect(roomy.blocks.filter((b) => b.type === 'actions' && String(b.block_id).startsWith('home:unassigned:tkt_'))).toHaveLength(15);
  });

  it('says how many more there are, with a Show more button carrying the list', () => {
    const view = homeView(input({ requests: list(5, 12) }));
    const more = view.blocks.find((b) => b.block_id === 'home:requests:more');
    expect(JSON.stringify(more)).toContain('Show more (7 more)');
    expect(JSON.stringify(more)).toContain('"value":"requests"');
    expect(parseHomePages(view.private_metadata)).toEqual(DEFAULT_PAGES);
  });

  it('escapes hostile titles', () => {
    const hostile = list(1, 1, { title: '<!channel> <@U999|boss> & <https://evil.test|click>' });
    const view = homeView(input({ requests: hostile }));
    const all = text(view);
    expect(all).not.toContain('<!channel>');
    expect(all).not.toContain('<https://evil.test');
    expect(all).toContain('&lt;!channel&gt;');
  });

  it('reads page sizes from metadata safely, and grows one list by ten up to the cap', () => {
    for (const bad of [undefined, '', 'not json', '{"pages":7}', '{"pages":{"queue":"x","risk":-4,"unassigned":1e9}}', 'null']) {
      const pages = parseHomePages(bad);
      expect(Object.values(pages).every((n) => n >= 5 && n <= 45)).toBe(true);
    }
    expect(morePages(DEFAULT_PAGES, 'queue')).toEqual({ ...DEFAULT_PAGES, queue: 15 });
    expect(morePages(DEFAULT_PAGES, 'nonsense')).toEqual(DEFAULT_PAGES);
    expect(morePages({ ...DEFAULT_PAGES, risk: 40 }, 'risk').risk).toBe(45);
  });
});
