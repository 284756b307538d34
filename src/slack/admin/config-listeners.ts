import type { AllMiddlewareArgs, App, Context, SlackViewMiddlewareArgs, ViewSubmitAction, types, webApi } from '@slack/bolt';
import { isDatabaseUnavailable, rootCause } from '../../db/errors.js';
import { ConflictError, DomainError, ForbiddenError, NotFoundError, ValidationError } from '../../domain/errors.js';
import { getPeople } from '../../domain/people.js';
import { createTeam, getTeam, listTeams, updateTeam, type Team } from '../../domain/teams.js';
import { getTenantSettings, updateTenantSettings } from '../../domain/tenants.js';
import { SLACK_LIMITS } from '../blocks/elements.js';
import { modalFieldErrors } from '../blocks/field-errors.js';
import { truncate } from '../blocks/text.js';
import type { ActionArgs } from '../listeners/actions/ticket-buttons.js';
import type { ListenerDeps } from '../listeners/shared.js';
import { ADMIN_CONFIG_ACTION, ADMIN_CONFIG_BLOCK as B, ADMIN_CONFIG_CALLBACK } from '../ids.js';
import {
  adminsModal,
  adminsOnlyModal,
  channelNotJoined,
  inviteToPrivateChannel,
  noticeModal,
  readAdminsModal,
  readSettingsModal,
  readTeamMetadata,
  readTeamModal,
  requestChannelsNotJoined,
  settingsModal,
  teamModal,
} from './config-blocks.js';
import { actingAsAdmin } from './guard.js';
import { joinTeamChannel } from './team-channel.js';

type Admin = Awaited<ReturnType<typeof actingAsAdmin>>;
type ViewArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

/** Admin buttons for teams, settings, helpdesk admins and the setup checklist, by action id. */
export function adminConfigActionHandlers(deps: ListenerDeps): Record<string, (args: ActionArgs) => Promise<void>> {
  return {
    [ADMIN_CONFIG_ACTION.teamCreate]: openAdminModal(deps, 'open the team form', async () => teamModal()),
    [ADMIN_CONFIG_ACTION.teamEdit]: openAdminModal(deps, 'open the team form', (admin, action) =>
      editTeamModal(deps, admin, 'value' in action ? action.value : undefined),
    ),
    [ADMIN_CONFIG_ACTION.teamPick]: openAdminModal(deps, 'open the team form', (admin, action) =>
      editTeamModal(deps, admin, action.type === 'static_select' ? action.selected_option?.value : undefined),
    ),
    [ADMIN_CONFIG_ACTION.settingsEdit]: openAdminModal(deps, 'open the settings', async (admin) => {
      const [teams, settings] = await Promise.all([listTeams(deps.db, admin.tenantId), getTenantSettings(deps.db, admin.scope)]);
      return settingsModal({
        teams,
        defaultTeamId: settings.default_team_id,
        slaWarningPercent: settings.sla_warning_percent,
        escalationIntervalMinutes: settings.escalation_interval_minutes,
        escalationMax: settings.escalation_max,
        intakeEmoji: settings.intake_emoji,
        intakeSkipPrefix: settings.intake_skip_prefix,
      });
    }),
    [ADMIN_CONFIG_ACTION.adminsEdit]: openAdminModal(deps, 'open the helpdesk admins', async (admin) => {
      const { slackIds, kept } = await splitBySlack(deps, admin.tenantId, (await getTenantSettings(deps.db, admin.scope)).admin_ids);
      return adminsModal({ adminSlackIds: slackIds, keptElsewhere: kept.length });
    }),
  };
}

/** The admin modals for teams, settings and helpdesk admins; returns their callback ids. */
export function registerAdminConfigViews(app: App, deps: ListenerDeps): string[] {
  app.view(ADMIN_CONFIG_CALLBACK.team, handleTeamSubmitted(deps));
  app.view(ADMIN_CONFIG_CALLBACK.settings, handleSettingsSubmitted(deps));
  app.view(ADMIN_CONFIG_CALLBACK.admins, handleAdminsSubmitted(deps));
  return Object.values(ADMIN_CONFIG_CALLBACK);
}

// ---------------------------------------------------------------------------
// Buttons: ack, check the admin, read what the modal shows, open it (the trigger lasts 3 s)

function openAdminModal(
  deps: ListenerDeps,
  doing: string,
  build: (admin: Admin, action: ActionArgs['action']) => Promise<types.ModalView>,
) {
  return async ({ ack, body, action, context, client }: ActionArgs): Promise<void> => {
    await ack();
    let view: types.ModalView;
    try {
      view = await build(await actingAsAdmin(deps, context, body.user), action);
    } catch (error) {
      view = errorModal(deps, error, doing);
    }
    await client.views.open({ trigger_id: body.trigger_id, view }).catch((error: unknown) =>
      deps.log.warn(`slack: could not ${doing}`, { error: error instanceof Error ? error.message : String(error) }),
    );
  };
}

/** Why a modal could not open, as a modal: a Home button has no message to answer in. */
function errorModal(deps: ListenerDeps, error: unknown, doing: string): types.ModalView {
  if (error instanceof ForbiddenError) return adminsOnlyModal(error.message);
  if (error instanceof DomainError) return noticeModal('Not available', `Could not ${doing}: ${error.message}`);
  if (isDatabaseUnavailable(error)) {
    deps.log.warn(`slack: could not ${doing}, the database is unavailable (${rootCause(error)})`);
    return noticeModal('Try again', `Could not ${doing}: the helpdesk cannot reach its database right now. Please try again in a moment.`);
  }
  deps.log.error(`slack: could not ${doing}`, { error: error instanceof Error ? error.stack : String(error) });
  return noticeModal('Try again', `Could not ${doing}: something went wrong on our side. Please try again.`);
}

async function editTeamModal(deps: ListenerDeps, admin: Admin, teamId: string | undefined): Promise<types.ModalView> {
  // The installation's tenant decides which teams exist: another workspace's id is not found.
  const team = await getTeam(deps.db, admin.tenantId, teamId ?? '');
  const agents = await splitBySlack(deps, admin.tenantId, team.agentIds);
  const contacts = await splitBySlack(deps, admin.tenantId, team.escalationContactIds);
  return teamModal({
    teamId: team.id,
    name: team.name,
    channelId: team.slackChannelId,
    agentSlackIds: agents.slackIds,
    escalationSlackIds: contacts.slackIds,
    replyDefault: team.agentReplyDefault,
    requestChannelIds: team.requestChannelIds,
    intakeType: team.intakeType,
    intakePriority: team.intakePriority,
    keptElsewhere: agents.kept.length + contacts.kept.length,
  });
}

/**
 * People references as the Slack user ids a users picker shows, and the rest (people set
 * through the API who are no Slack users): the picker cannot show them, so a save keeps them.
 */
async function splitBySlack(deps: ListenerDeps, tenantId: string, personIds: readonly string[]): Promise<{ slackIds: string[]; kept: string[] }> {
  const slackIdOf = new Map((await getPeople(deps.db, tenantId, [...personIds])).flatMap((p) => (p.slackUserId ? [[p.id, p.slackUserId] as const] : [])));
  const slackIds: string[] = [];
  const kept: string[] = [];
  for (const id of personIds) {
    const slackId = slackIdOf.get(id);
    if (slackId) slackIds.push(slackId);
    else kept.push(id);
  }
  return { slackIds, kept };
}

// ---------------------------------------------------------------------------
// Submissions: check the admin, write through the domain (the REST API's functions), then ack;
// a refusal or an invalid value comes back into the open modal, and nothing is written.

/** Writes a submission and acks it; the first block shows what is not a field's error. */
async function saveSubmission<T>(
  deps: ListenerDeps,
  args: ViewArgs,
  save: (admin: Admin) => Promise<T>,
  fields: { blocks: Record<string, string>; fallback: string; doing: string; conflictBlock?: string },
): Promise<{ admin: Admin; saved: T } | undefined> {
  // Messages can carry what the payload said (an id in private_metadata): kept to a field's length.
  const errors = (map: Record<string, string>) =>
    args.ack({ response_action: 'errors', errors: Object.fromEntries(Object.entries(map).map(([block, message]) => [block, truncate(message, SLACK_LIMITS.sectionField)])) });
  try {
    const admin = await actingAsAdmin(deps, args.context, args.body.user);
    const saved = await save(admin);
    await args.ack();
    return { admin, saved };
  } catch (error) {
    if (error instanceof ValidationError) await errors(modalFieldErrors(error, fields.blocks, fields.fallback));
    else if (error instanceof ConflictError) await errors({ [fields.conflictBlock ?? fields.fallback]: error.message });
    else if (error instanceof ForbiddenError) await errors({ [fields.fallback]: error.message });
    else if (error instanceof NotFoundError) await errors({ [fields.fallback]: `${error.message}: it may have been removed. Close this form and open it again from Home.` });
    else if (error instanceof DomainError) await errors({ [fields.fallback]: error.message });
    else {
      if (isDatabaseUnavailable(error)) deps.log.warn(`slack: could not ${fields.doing}, the database is unavailable (${rootCause(error)})`);
      else deps.log.error(`slack: could not ${fields.doing}`, { error: error instanceof Error ? error.stack : String(error) });
      await errors({ [fields.fallback]: `Couldn't ${fields.doing}, please try again.` });
    }
    return undefined;
  }
}

const TEAM_FIELD_BLOCKS: Record<string, string> = {
  name: B.teamName,
  slack_channel_id: B.teamChannel,
  agent_ids: B.teamAgents,
  escalation_contact_ids: B.teamEscalation,
  agent_reply_default: B.teamReplyDefault,
  request_channel_ids: B.teamRequestChannels,
  intake_type: B.teamIntakeType,
  intake_priority: B.teamIntakePriority,
};

/**
 * The team modal submitted: `createTeam` / `updateTeam` with the pickers' Slack user ids (people
 * set through the API who are no Slack users are kept). Acked once saved; then the app gets into
 * the channel, or tells the admin by DM how to let it in.
 */
export function handleTeamSubmitted(deps: ListenerDeps) {
  return async (args: ViewArgs): Promise<void> => {
    const values = readTeamModal(args.view.state.values);
    const teamId = readTeamMetadata(args.view.private_metadata);
    const result = await saveSubmission(
      deps,
      args,
      async (admin) => {
        const input = {
          name: values.name ?? '',
          slack_channel_id: values.channelId ?? null,
          agent_ids: values.agentSlackIds,
          escalation_contact_ids: values.escalationSlackIds,
          ...(values.replyDefault ? { agent_reply_default: values.replyDefault } : {}),
          ...(values.requestChannelIds ? { request_channel_ids: values.requestChannelIds } : {}),
          ...(values.intakeType ? { intake_type: values.intakeType } : {}),
          ...(values.intakePriority ? { intake_priority: values.intakePriority } : {}),
        };
        if (!teamId) return createTeam(deps.db, admin.scope, input);
        const current = await getTeam(deps.db, admin.tenantId, teamId);
        const agents = await splitBySlack(deps, admin.tenantId, current.agentIds);
        const contacts = await splitBySlack(deps, admin.tenantId, current.escalationContactIds);
        return updateTeam(deps.db, admin.scope, teamId, {
          ...input,
          agent_ids: [...input.agent_ids, ...agents.kept],
          escalation_contact_ids: [...input.escalation_contact_ids, ...contacts.kept],
        });
      },
      { blocks: TEAM_FIELD_BLOCKS, fallback: B.teamName, conflictBlock: B.teamName, doing: 'save the team' },
    );
    if (!result) return;
    deps.refreshHome?.(result.admin.tenantId, [result.admin.personId]);
    await settleTeamChannel(deps, args.client, args.context, args.body.user.id, result.saved);
  };
}

/**
 * After the ack: the team's channel and its request channels, joined where the app can (it reads
 * request channels' messages only as a member); otherwise the admin hears what to do.
 */
async function settleTeamChannel(deps: ListenerDeps, client: webApi.WebClient, context: Context, adminSlackId: string, team: Team): Promise<void> {
  await settleRequestChannels(deps, client, adminSlackId, team);
  if (!team.slackChannelId) return;
  const channelId = team.slackChannelId;
  try {
    const standing = await joinTeamChannel(client, channelId);
    if (standing.kind === 'in') return;
    const message =
      standing.kind === 'invite_needed'
        ? inviteToPrivateChannel({ teamName: team.name, channelId, botUserId: typeof context.botUserId === 'string' ? context.botUserId : undefined })
        : channelNotJoined({ teamName: team.name, channelId, error: standing.error });
    await client.chat.postMessage({ channel: adminSlackId, ...message });
  } catch (error) {
    deps.log.warn('slack: could not settle a team channel', { team: team.id, error: error instanceof Error ? error.message : String(error) });
  }
}

async function settleRequestChannels(deps: ListenerDeps, client: webApi.WebClient, adminSlackId: string, team: Team): Promise<void> {
  if (team.requestChannelIds.length === 0) return;
  try {
    const outside: Array<{ channelId: string; error?: string | undefined }> = [];
    for (const channelId of team.requestChannelIds) {
      const standing = await joinTeamChannel(client, channelId);
      if (standing.kind === 'invite_needed') outside.push({ channelId });
      if (standing.kind === 'failed') outside.push({ channelId, error: standing.error });
    }
    if (outside.length > 0) await client.chat.postMessage({ channel: adminSlackId, ...requestChannelsNotJoined({ teamName: team.name, channels: outside }) });
  } catch (error) {
    deps.log.warn('slack: could not settle request channels', { team: team.id, error: error instanceof Error ? error.message : String(error) });
  }
}

const SETTINGS_FIELD_BLOCKS: Record<string, string> = {
  default_team_id: B.defaultTeam,
  sla_warning_percent: B.warningPercent,
  escalation_interval_minutes: B.escalationInterval,
  escalation_max: B.escalationMax,
  intake_emoji: B.intakeEmoji,
  intake_skip_prefix: B.intakeSkipPrefix,
};

/** The settings modal submitted: `updateTenantSettings`, each invalid value under its field. */
export function handleSettingsSubmitted(deps: ListenerDeps) {
  return async (args: ViewArgs): Promise<void> => {
    const patch = readSettingsModal(args.view.state.values);
    const result = await saveSubmission(deps, args, (admin) => updateTenantSettings(deps.db, admin.scope, patch), {
      blocks: SETTINGS_FIELD_BLOCKS,
      fallback: B.warningPercent,
      doing: 'save the settings',
    });
    if (result) deps.refreshHome?.(result.admin.tenantId, [result.admin.personId]);
  };
}

/**
 * The helpdesk admins modal submitted: `updateTenantSettings({ admin_ids })` with the picked
 * Slack users, keeping admins set through the API who are no Slack users. Any admin may remove
 * anyone, themselves included: the workspace's admins and owners stay admins whatever the list
 * says, so the desk can never be left without one.
 */
export function handleAdminsSubmitted(deps: ListenerDeps) {
  return async (args: ViewArgs): Promise<void> => {
    const picked = readAdminsModal(args.view.state.values);
    let before: string[] = [];
    const result = await saveSubmission(
      deps,
      args,
      async (admin) => {
        before = (await getTenantSettings(deps.db, admin.scope)).admin_ids;
        const { kept } = await splitBySlack(deps, admin.tenantId, before);
        return updateTenantSettings(deps.db, admin.scope, { admin_ids: [...picked, ...kept] });
      },
      { blocks: { admin_ids: B.admins }, fallback: B.admins, doing: 'save the helpdesk admins' },
    );
    if (!result) return;
    // The admin's own Home, and the Homes of those who gained or lost the admin section.
    const after = result.saved.admin_ids;
    const changed = [...after.filter((id) => !before.includes(id)), ...before.filter((id) => !after.includes(id))];
    deps.refreshHome?.(result.admin.tenantId, [...new Set([result.admin.personId, ...changed])]);
  };
}
