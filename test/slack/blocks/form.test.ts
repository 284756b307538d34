import { describe, expect, it } from 'vitest';
import { SLACK_LIMITS } from '../../../src/slack/blocks/elements.js';
import { readTicketModal, ticketModal } from '../../../src/slack/blocks/form.js';
import { BLOCK, CALLBACK, INPUT_ACTION } from '../../../src/slack/ids.js';
import { block, blocksOf, type Json, mrkdwnTexts, objects, stateFromModal } from '../../support/block-fixtures.js';
import { checkView } from '../../support/block-kit.js';

describe('ticketModal', () => {
  const teams = [
    { id: 'grp_1', name: 'IT Support' },
    { id: 'grp_2', name: 'Facilities' },
  ];
  const inputBlock = (view: ReturnType<typeof ticketModal>, id: string) => block(view, id)?.element as Json;

  it('is the create modal with every input block', () => {
    const view = ticketModal({ teams });
    expect(view.callback_id).toBe(CALLBACK.createTicketModal);
    expect(view.title.text).toBe('New ticket');
    expect(view.title.text.length).toBeLessThanOrEqual(SLACK_LIMITS.modalTitle);
    expect(view.submit?.text).toBe('Create');
    expect(view.close?.text).toBe('Cancel');
    for (const id of Object.values(BLOCK)) {
      expect(block(view, id), id).toMatchObject({ type: 'input' });
      expect(inputBlock(view, id).action_id).toBe(INPUT_ACTION);
    }
    expect(blocksOf(view).length).toBeLessThanOrEqual(SLACK_LIMITS.modalBlocks);
  });

  it('makes only the title, type and priority required', () => {
    const view = ticketModal({ teams });
    const optional = blocksOf(view)
      .filter((b) => b.optional)
      .map((b) => b.block_id);
    expect(optional.sort()).toEqual([BLOCK.category, BLOCK.description, BLOCK.team].sort());
    expect(inputBlock(view, BLOCK.title)).toMatchObject({ type: 'plain_text_input', max_length: 200 });
    expect(inputBlock(view, BLOCK.description)).toMatchObject({ multiline: true, max_length: 3000 });
    // Slack refuses a max_length past 3000, and with it the whole form.
    expect(checkView(view)).toBeUndefined();
    expect(inputBlock(view, BLOCK.category)).toMatchObject({ max_length: 100 });
  });

  it('offers every type and priority with human labels and sensible defaults', () => {
    const view = ticketModal({ teams });
    const type = inputBlock(view, BLOCK.type);
    expect((type.options as Json[]).map((o) => [(o.text as Json).text, o.value])).toEqual([
      ['Incident', 'incident'],
      ['Service request', 'service_request'],
      ['Change', 'change'],
      ['Problem', 'problem'],
    ]);
    expect(type.initial_option).toMatchObject({ value: 'service_request' });
    const priority = inputBlock(view, BLOCK.priority);
    expect((priority.options as Json[]).map((o) => o.value)).toEqual(['low', 'medium', 'high', 'urgent']);
    expect(priority.initial_option).toMatchObject({ value: 'medium', text: { text: 'Medium' } });
  });

  it('preselects the default team, unless the initial team says otherwise', () => {
    expect(inputBlock(ticketModal({ teams, defaultTeamId: 'grp_2' }), BLOCK.team).initial_option).toMatchObject({
      value: 'grp_2',
      text: { text: 'Facilities' },
    });
    const chosen = ticketModal({ teams, defaultTeamId: 'grp_2', initial: { teamId: 'grp_1' } });
    expect(inputBlock(chosen, BLOCK.team).initial_option).toMatchObject({ value: 'grp_1' });
    expect(inputBlock(ticketModal({ teams }), BLOCK.team)).not.toHaveProperty('initial_option');
    expect(inputBlock(ticketModal({ teams, defaultTeamId: 'grp_gone' }), BLOCK.team)).not.toHaveProperty(
      'initial_option',
    );
  });

  it('omits the team block when there are no teams', () => {
    const view = ticketModal({ teams: [], defaultTeamId: 'grp_1' });
    expect(block(view, BLOCK.team)).toBeUndefined();
    expect(block(view, BLOCK.title)).toBeDefined();
  });

  it('keeps within 100 team options and shortens long names, keeping the preselected team', () => {
    const many = Array.from({ length: 150 }, (_, i) => ({ id: `grp_${i}`, name: `Team ${i} ${'x'.repeat(100)}` }));
    const team = inputBlock(ticketModal({ teams: many, defaultTeamId: 'grp_120' }), BLOCK.team);
    const options = team.options as Json[];
    expect(options).toHaveLength(SLACK_LIMITS.selectOptions);
    for (const o of options) expect(((o.text as Json).text as string).length).toBeLessThanOrEqual(75);
    expect(team.initial_option).toMatchObject({ value: 'grp_120' });
    expect(options.map((o) => o.value)).toContain('grp_120');
  });

  it('never sends empty, null or undefined values', () => {
    const views = [
      ticketModal({ teams: [] }),
      ticketModal({ teams, initial: { title: '', description: '   ', category: '', teamId: undefined } }),
      ticketModal({
        teams,
        defaultTeamId: 'grp_1',
        privateMetadata: '',
        initial: { title: 'VPN down', description: 'Since 9am', type: 'incident', priority: 'urgent', category: 'Network' },
        sourceMessageLink: 'https://acme.slack.com/archives/C1/p1',
      }),
    ];
    for (const view of views) {
      for (const o of objects(view)) {
        for (const [key, value] of Object.entries(o)) {
          expect(value, key).not.toBe('');
          expect(value, key).not.toBeUndefined();
          expect(value, key).not.toBeNull();
        }
      }
      expect(JSON.parse(JSON.stringify(view))).toEqual(view);
    }
  });

  it('prefills the initial values, clipped to the input limits', () => {
    const view = ticketModal({
      teams,
      initial: { title: 'T'.repeat(300), description: 'Broken', type: 'problem', priority: 'low', category: 'Access' },
    });
    expect((inputBlock(view, BLOCK.title).initial_value as string).length).toBe(200);
    expect(inputBlock(view, BLOCK.description).initial_value).toBe('Broken');
    expect(inputBlock(view, BLOCK.type).initial_option).toMatchObject({ value: 'problem' });
    expect(inputBlock(view, BLOCK.priority).initial_option).toMatchObject({ value: 'low' });
    expect(inputBlock(view, BLOCK.category).initial_value).toBe('Access');
  });

  it('shows the source message link and keeps it in a long prefilled description', () => {
    const url = 'https://acme.slack.com/archives/C0123ABCD/p1741078800000100?thread_ts=1741078800.000100&cid=C0123ABCD';
    const view = ticketModal({ teams, sourceMessageLink: url, initial: { description: 'x'.repeat(6000) } });
    const first = blocksOf(view)[0]!;
    expect(first.type).toBe('context');
    expect(mrkdwnTexts(first)[0]).toContain(`<${url.replace('&', '&amp;')}|this message>`);
    const description = inputBlock(view, BLOCK.description).initial_value as string;
    expect(description.length).toBeLessThanOrEqual(3000);
    expect(checkView(view)).toBeUndefined();
    expect(description.endsWith(url)).toBe(true);
    const onlyLink = ticketModal({ teams, sourceMessageLink: url });
    expect(inputBlock(onlyLink, BLOCK.description).initial_value).toContain(url);
  });

  it('passes private metadata through and refuses metadata Slack would reject', () => {
    expect(ticketModal({ teams, privateMetadata: '{"channel":"C1"}' }).private_metadata).toBe('{"channel":"C1"}');
    expect(() => ticketModal({ teams, privateMetadata: 'x'.repeat(3001) })).toThrow(RangeError);
  });
});

describe('readTicketModal', () => {
  it('round-trips the values of a modal as Slack submits them', () => {
    const initial = {
      title: 'VPN down',
      description: 'Since 9am',
      type: 'incident',
      priority: 'urgent',
      teamId: 'grp_2',
      category: 'Network',
    } as const;
    const view = ticketModal({ teams: [{ id: 'grp_1', name: 'IT' }, { id: 'grp_2', name: 'Net' }], initial });
    expect(readTicketModal(stateFromModal(view))).toEqual(initial);
  });

  it('turns empty optional inputs into undefined', () => {
    const view = ticketModal({ teams: [{ id: 'grp_1', name: 'IT' }], initial: { title: 'Hi' } });
    expect(readTicketModal(stateFromModal(view))).toEqual({
      title: 'Hi',
      description: undefined,
      type: 'service_request',
      priority: 'medium',
      teamId: undefined,
      category: undefined,
    });
    expect(readTicketModal({})).toEqual({
      title: undefined,
      description: undefined,
      type: undefined,
      priority: undefined,
      teamId: undefined,
      category: undefined,
    });
  });
});
