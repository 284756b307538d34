import { describe, expect, it } from 'vitest';
import { intakePrompt, intakePromptAnswered } from '../../../src/slack/blocks/intake-prompt.js';
import { INTAKE_ACTION, INTAKE_BLOCK } from '../../../src/slack/ids.js';
import { actionIds, block, buttons, expectWithinMessageLimits, type Json } from '../../support/block-fixtures.js';

const TS = '1800000000.000001';
const team = (i: number) => ({ id: `grp_${String(i).padStart(3, '0')}`, name: `Team ${String(i).padStart(3, '0')}` });

describe('intakePrompt', () => {
  it('names the only team, with Create and Not now carrying the message ts', () => {
    const message = intakePrompt({ messageTs: TS, teams: [{ id: 'grp_1', name: 'IT <!channel> & Ops' }], defaultTeamId: null });
    expect(message.text).toBe('Create a ticket from this?');
    const text = JSON.stringify(message.blocks);
    expect(text).toContain('IT &lt;!channel&gt; &amp; Ops');
    expect(text).not.toContain('static_select');
    expect(buttons(message.blocks).map((b) => [b.action_id, b.value])).toEqual([
      [INTAKE_ACTION.create, TS],
      [INTAKE_ACTION.dismiss, TS],
    ]);
    expectWithinMessageLimits(message);
  });

  it('offers a picker of several teams with the default chosen, and keeps the default among 100 options', () => {
    const teams = Array.from({ length: 150 }, (_, i) => team(i));
    const message = intakePrompt({ messageTs: TS, teams, defaultTeamId: 'grp_140' });
    const picker = block(message, INTAKE_BLOCK.team)!.accessory as Json;
    const options = picker.options as Json[];
    expect(options).toHaveLength(100);
    expect(picker.initial_option).toMatchObject({ value: 'grp_140' });
    expect(options.some((o) => o.value === 'grp_140')).toBe(true);
    expect(actionIds(message.blocks)).toEqual(expect.arrayContaining([INTAKE_ACTION.team, INTAKE_ACTION.create, INTAKE_ACTION.dismiss]));
    expectWithinMessageLimits(message);
  });

  it('asks without a team when the workspace has none', () => {
    const message = intakePrompt({ messageTs: TS, teams: [], defaultTeamId: null });
    expect(JSON.stringify(message.blocks)).not.toContain('goes to');
    expectWithinMessageLimits(message);
  });
});

describe('intakePromptAnswered', () => {
  it('says what became of the message, without buttons, escaping the title', () => {
    const ticket = { number: 'TKT-0007', title: '<!here> printer' };
    for (const answer of [
      intakePromptAnswered({ kind: 'created', ticket, teamName: 'IT desk' }),
      intakePromptAnswered({ kind: 'exists', ticket, teamName: null }),
      intakePromptAnswered({ kind: 'dismissed' }),
      intakePromptAnswered({ kind: 'gone' }),
    ]) {
      expect(buttons(answer.blocks)).toEqual([]);
      expect(JSON.stringify(answer)).not.toContain('<!here>');
      expectWithinMessageLimits(answer);
    }
    expect(intakePromptAnswered({ kind: 'created', ticket, teamName: 'IT desk' }).text).toContain('TKT-0007');
    expect(intakePromptAnswered({ kind: 'dismissed' }).text).toBe('OK, no ticket.');
  });
});
