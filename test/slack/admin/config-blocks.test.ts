import { describe, expect, it } from 'vitest';
import {
  adminsModal,
  channelNotJoined,
  inviteToPrivateChannel,
  readAdminsModal,
  readSettingsModal,
  readTeamMetadata,
  readTeamModal,
  settingsModal,
  teamModal,
} from '../../../src/slack/admin/config-blocks.js';
import { ADMIN_CONFIG_BLOCK as B, ADMIN_CONFIG_CALLBACK, INPUT_ACTION } from '../../../src/slack/ids.js';
import { checkMessage, checkView } from '../../support/block-kit.js';

const PING = '<!channel> <@U0VICTIM1> & <https://evil.test|x>';
type Values = Parameters<typeof readTeamModal>[0];

describe('admin modals', () => {
  it('is a create form for a new team and an edit form naming its team otherwise, within what Slack accepts', () => {
    const created = teamModal();
    expect(created).toMatchObject({ callback_id: ADMIN_CONFIG_CALLBACK.team, title: { text: 'New team' }, submit: { text: 'Create' } });
    expect(created.private_metadata).toBeUndefined();
    expect(readTeamMetadata(created.private_metadata)).toBeUndefined();

    const edit = teamModal({
      teamId: 'grp_1',
      name: `${'n'.repeat(70)} ${PING}`,
      channelId: 'C0DESK',
      agentSlackIds: ['U1', 'U2'],
      escalationSlackIds: ['U3'],
      replyDefault: 'internal',
      requestChannelIds: Array.from({ length: 20 }, (_, i) => `C0ASK${i}`),
      intakeType: 'service_request',
      intakePriority: 'high',
      keptElsewhere: 2,
    });
    expect(edit.blocks.find((b) => b.block_id === B.teamRequestChannels)).toMatchObject({
      optional: true,
      element: { type: 'multi_conversations_select', max_selected_items: 20, initial_conversations: expect.arrayContaining(['C0ASK0', 'C0ASK19']) },
    });
    expect(edit.blocks.find((b) => b.block_id === B.teamIntakeType)).toMatchObject({ element: { initial_option: { value: 'service_request' } } });
    expect(edit.blocks.find((b) => b.block_id === B.teamIntakePriority)).toMatchObject({ element: { initial_option: { value: 'high' } } });
    // A new team starts from the create defaults, and no request channel.
    expect(created.blocks.find((b) => b.block_id === B.teamIntakeType)).toMatchObject({ element: { initial_option: { value: 'incident' } } });
    expect(created.blocks.find((b) => b.block_id === B.teamIntakePriority)).toMatchObject({ element: { initial_option: { value: 'medium' } } });
    expect(created.blocks.find((b) => b.block_id === B.teamRequestChannels)).not.toHaveProperty('element.initial_conversations');
    expect(edit).toMatchObject({ title: { text: 'Edit team' }, submit: { text: 'Save' } });
    expect(readTeamMetadata(edit.private_metadata)).toBe('grp_1');
    expect(JSON.stringify(edit.blocks)).toContain('2 agent(s) or contact(s) added through the API');
    for (const view of [created, edit]) expect(checkView(view), JSON.stringify(checkView(view))).toBeUndefined();
  });

  it('ignores private_metadata the app did not write', () => {
    expect(readTeamMetadata('{not json')).toBeUndefined();
    expect(readTeamMetadata('{"team_id": 42}')).toBeUndefined();
    expect(readTeamMetadata('null')).toBeUndefined();
  });

  it('reads a submitted team form raw, for the domain to judge; an empty picker is nobody', () => {
    const values: Values = {
      [B.teamName]: { [INPUT_ACTION]: { type: 'plain_text_input', value: ' IT ' } },
      [B.teamChannel]: { [INPUT_ACTION]: { type: 'conversations_select', selected_conversation: 'C0DESK' } },
      [B.teamAgents]: { [INPUT_ACTION]: { type: 'multi_users_select', selected_users: ['U1'] } },
      [B.teamEscalation]: { [INPUT_ACTION]: { type: 'multi_users_select', selected_users: [] } },
      [B.teamReplyDefault]: { [INPUT_ACTION]: { type: 'radio_buttons', selected_option: { text: { type: 'plain_text', text: 'x' }, value: 'internal' } } },
    };
    expect(readTeamModal(values)).toEqual({
      name: ' IT ',
      channelId: 'C0DESK',
      agentSlackIds: ['U1'],
      escalationSlackIds: [],
      replyDefault: 'internal',
      requestChannelIds: undefined,
      intakeType: undefined,
      intakePriority: undefined,
    });
    expect(readTeamModal({})).toMatchObject({ name: undefined, channelId: undefined, agentSlackIds: [], escalationSlackIds: [], replyDefault: undefined, requestChannelIds: undefined });
    const intake: Values = {
      [B.teamRequestChannels]: { [INPUT_ACTION]: { type: 'multi_conversations_select', selected_conversations: ['C0ASK', 'G0PRIV'] } },
      [B.teamIntakeType]: { [INPUT_ACTION]: { type: 'static_select', selected_option: { text: { type: 'plain_text', text: 'x' }, value: 'service_request' } } },
      [B.teamIntakePriority]: { [INPUT_ACTION]: { type: 'static_select', selected_option: { text: { type: 'plain_text', text: 'x' }, value: 'high' } } },
    };
    expect(readTeamModal(intake)).toMatchObject({ requestChannelIds: ['C0ASK', 'G0PRIV'], intakeType: 'service_request', intakePriority: 'high' });
  });

  it('shows the settings as they are and reads them back as a settings patch', () => {
    const teams = Array.from({ length: 120 }, (_, i) => ({ id: `grp_${i}`, name: `Team ${i} ${PING}` }));
    const view = settingsModal({ teams, defaultTeamId: 'grp_110', slaWarningPercent: 75, escalationIntervalMinutes: 60, escalationMax: 3, intakeEmoji: 'ticket', intakeSkipPrefix: '[no-ticket]' });
    expect(checkView(view), JSON.stringify(checkView(view))).toBeUndefined();
    const select = view.blocks.find((b) => b.block_id === B.defaultTeam) as { element: { initial_option: { value: string }; options: unknown[] } };
    // A default team past the first hundred still shows, chosen.
    expect(select.element.initial_option.value).toBe('grp_110');
    expect(select.element.options).toHaveLength(100);

    const number = (value: string | null) => ({ [INPUT_ACTION]: { type: 'number_input', value } });
    expect(
      readSettingsModal({
        [B.defaultTeam]: { [INPUT_ACTION]: { type: 'static_select', selected_option: null } },
        [B.warningPercent]: number('80'),
        [B.escalationInterval]: number('7.5'),
        [B.escalationMax]: number('lots'),
        [B.intakeEmoji]: { [INPUT_ACTION]: { type: 'plain_text_input', value: ':raising_hand:' } },
      }),
    ).toEqual({ default_team_id: null, sla_warning_percent: 80, escalation_interval_minutes: 7.5, escalation_max: 'lots', intake_emoji: ':raising_hand:' });
    // The skip prefix: as typed; emptied (Slack sends no value), none.
    expect(readSettingsModal({ [B.intakeSkipPrefix]: { [INPUT_ACTION]: { type: 'plain_text_input', value: '!' } } })).toEqual({ intake_skip_prefix: '!' });
    expect(readSettingsModal({ [B.intakeSkipPrefix]: { [INPUT_ACTION]: { type: 'plain_text_input', value: null } } })).toEqual({ intake_skip_prefix: '' });
    expect(view.blocks.find((b) => b.block_id === B.intakeSkipPrefix)).toMatchObject({ optional: true, element: { initial_value: '[no-ticket]' } });
    expect(view.blocks.find((b) => b.block_id === B.intakeEmoji)).toMatchObject({ element: { type: 'plain_text_input', initial_value: 'ticket' } });
    // No teams: no default team field, and nothing sent for it; an empty number is left as it is.
    const bare = settingsModal({ teams: [], defaultTeamId: null, slaWarningPercent: 75, escalationIntervalMinutes: 60, escalationMax: 3, intakeEmoji: 'ticket', intakeSkipPrefix: '[no-ticket]' });
    expect(bare.blocks.some((b) => b.block_id === B.defaultTeam)).toBe(false);
    expect(readSettingsModal({ [B.warningPercent]: number(null), [B.escalationMax]: number('0') })).toEqual({ escalation_max: 0 });
  });

  it('shows the helpdesk admins who are Slack users, and counts the others', () => {
    const view = adminsModal({ adminSlackIds: ['U1', 'U2'], keptElsewhere: 1 });
    expect(checkView(view)).toBeUndefined();
    expect(view.blocks.find((b) => b.block_id === B.admins)).toMatchObject({ element: { type: 'multi_users_select', initial_users: ['U1', 'U2'] } });
    expect(JSON.stringify(view.blocks)).toContain("workspace's admins and owners are always helpdesk admins");
    expect(readAdminsModal({ [B.admins]: { [INPUT_ACTION]: { type: 'multi_users_select', selected_users: ['U3'] } } })).toEqual(['U3']);
    expect(readAdminsModal({})).toEqual([]);
  });

  it('escapes the team name in the DMs about its channel', () => {
    for (const message of [
      inviteToPrivateChannel({ teamName: PING, channelId: 'C0SECRET', botUserId: 'U0BOT' }),
      channelNotJoined({ teamName: PING, channelId: 'C0SECRET', error: 'is_archived' }),
    ]) {
      expect(checkMessage(message)).toBeUndefined();
      expect(message.text).not.toContain('<!channel>');
      expect(message.text).not.toContain('<@U0VICTIM1>');
      expect(message.text).toContain('&lt;!channel&gt;');
      expect(message.text).toContain('<#C0SECRET>');
    }
  });
});
