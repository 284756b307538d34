import type { types } from '@slack/bolt';
import { listConfigChanges, type ConfigChange } from '../../domain/audit.js';
import { getPeople } from '../../domain/people.js';
import { listTeams, type Team } from '../../domain/teams.js';
import { getTenantSettings, type TenantSettings } from '../../domain/tenants.js';
import { actions, button, context, fieldsSection, option, plain, section, SLACK_LIMITS, type KnownBlock } from '../blocks/elements.js';
import { escapeMrkdwn, mention, PRIORITY_LABELS, slackDate, truncate, TYPE_LABELS, userText } from '../blocks/text.js';
import { ADMIN_CONFIG_ACTION } from '../ids.js';
import type { ListenerDeps } from '../listeners/shared.js';
import { TEAM_NAME_MAX } from './config-blocks.js';
import { slaSetupStatus } from '../../domain/sla/setup.js';
import { slaAdminBlocks, slaChecklistBlocks } from './sla-home.js';

/** Teams listed one per block with their Edit button; past this, a picker holds them all. */
export const HOME_TEAMS_LISTED = 10;
/** Configuration changes shown under "Last changes". */
export const HOME_CHANGES_SHOWN = 5;
/** A team name in mrkdwn: the longest name, escaped (`&` becomes five characters). */
const NAME_MRKDWN_MAX = TEAM_NAME_MAX * 5;
/** The admin part's share of the Home's 100 blocks. */
export const ADMIN_HOME_MAX_BLOCKS = 45;

/**
 * The admin part of an admin's App Home: the setup checklist while the desk has no team;
 * then teams, SLA policies, business hours, settings and helpdesk admins, each editable,
 * under the checklist (each step done or to do) until its SLA steps are done too.
 * At most 45 blocks (the Home holds 100 in all).
 */
export async function adminHomeBlocks(deps: Pick<ListenerDeps, 'db' | 'now'>, tenantId: string): Promise<KnownBlock[]> {
  const now = deps.now();
  // All the reads at once (each await under load is a turn behind every other request), the
  // SLA part's too: they are wasted only while the desk has no team.
  const [teams, settings, changes, sla, status] = await Promise.all([
    listTeams(deps.db, tenantId),
    getTenantSettings(deps.db, { tenantId, actorId: null, now }),
    listConfigChanges(deps.db, tenantId, { limit: HOME_CHANGES_SHOWN }),
    slaAdminBlocks(deps, tenantId),
    slaSetupStatus(deps.db, tenantId),
  ]);
  const personIds = [...new Set([...settings.admin_ids, ...changes.flatMap((c) => (c.actorId ? [c.actorId] : []))])];
  const slackIdOf = new Map((await getPeople(deps.db, tenantId, personIds)).flatMap((p) => (p.slackUserId ? [[p.id, p.slackUserId] as const] : [])));
  const model: AdminHomeModel = { teams, settings, changes, slackIdOf };
  if (teams.length === 0) return setupChecklistBlocks(model, await slaChecklistBlocks(deps, tenantId));
  const section = adminSectionBlocks(model, sla);
  if (status.policies && status.businessHours) return section;
  // A team exists but a step is still to do: the checklist stays on top, each step done or to do.
  return [...setupChecklistBlocks(model, await slaChecklistBlocks(deps, tenantId), { compact: true }), { type: 'divider' }, ...section];
}

export interface AdminHomeModel {
  teams: Team[];
  settings: TenantSettings;
  changes: ConfigChange[];
  /** Person id -> Slack user id, for the people shown (admins, authors of changes). */
  slackIdOf: ReadonlyMap<string, string>;
}

/** The first-run checklist: its header, step 1 (a team), then `slaSteps` (steps 2 and 3, from the SLA part). */
export function setupChecklistBlocks(model: AdminHomeModel, slaSteps: KnownBlock[], options: { compact?: boolean } = {}): KnownBlock[] {
  const done = model.teams.length > 0;
  const count = model.teams.length;
  const step = section(
    `*1. Create a team*\n${
      done
        ? `:white_check_mark: Done — ${count} team${count === 1 ? '' : 's'}`
        : ':white_circle: To do — its name, the channel where its ticket cards and SLA alerts go, its agents and escalation contacts.'
    }`,
  );
  // Done: the admin section below has *New team* and each team's *Edit*.
  const step1 = done ? step : withButton(step, button('Create team', ADMIN_CONFIG_ACTION.teamCreate, 'new', 'primary'));
  // Beside the admin section (a team exists), which lists the admins: the header and the step only.
  if (options.compact) return [header('Set up your helpdesk'), step1, ...slaSteps];
  return [
    header('Set up your helpdesk'),
    section('Only helpdesk admins see this. Three steps and the desk is ready: a team to work the tickets, SLA targets, and business hours.'),
    step1,
    ...slaSteps,
    adminsBlock(model),
  ];
}

/** The admin section once the desk has a team: teams, the SLA part, settings, helpdesk admins, last changes. */
export function adminSectionBlocks(model: AdminHomeModel, sla: KnownBlock[]): KnownBlock[] {
  const { teams, settings } = model;
  const blocks: KnownBlock[] = [header('Helpdesk admin'), withButton(section(`*Teams* (${teams.length})`), button('New team', ADMIN_CONFIG_ACTION.teamCreate, 'new'))];
  for (const team of teams.slice(0, HOME_TEAMS_LISTED)) {
    blocks.push(withButton(section(teamLine(team)), button('Edit', ADMIN_CONFIG_ACTION.teamEdit, team.id)));
  }
  if (teams.length > HOME_TEAMS_LISTED) {
    const picker: types.StaticSelect = {
      type: 'static_select',
      action_id: ADMIN_CONFIG_ACTION.teamPick,
      placeholder: plain(`Edit another of the ${teams.length} teams…`),
      options: teams.slice(0, SLACK_LIMITS.selectOptions).map((t) => option(t.name, t.id)),
    };
    blocks.push(actions([picker]));
  }
  blocks.push({ type: 'divider' });
  if (sla.length > 0) blocks.push(...sla, { type: 'divider' });
  const defaultTeam = teams.find((t) => t.id === settings.default_team_id);
  blocks.push(
    withButton(section('*Settings*'), button('Edit settings', ADMIN_CONFIG_ACTION.settingsEdit, 'settings')),
    fieldsSection([
      ['Default team', defaultTeam ? userText(defaultTeam.name, NAME_MRKDWN_MAX) : 'None'],
      ['SLA warning at', `${settings.sla_warning_percent}% of the target`],
      ['Breach re-announced', settings.escalation_max > 0 ? `every ${settings.escalation_interval_minutes} min, at most ${settings.escalation_max}×` : 'never'],
      ['Ticket reaction', `:${settings.intake_emoji}: on a message in a channel the app is in`],
      ['Skip prefix in request channels', settings.intake_skip_prefix ? userText(settings.intake_skip_prefix, 40) : 'None (every message is a ticket)'],
    ]),
    { type: 'divider' },
    adminsBlock(model),
  );
  if (model.changes.length > 0) blocks.push(context(`*Last changes*\n${model.changes.map((c) => changeLine(c, model)).join('\n')}`));
  return blocks;
}

function header(text: string): KnownBlock {
  return { type: 'header', text: plain(text) };
}

function withButton(block: types.SectionBlock, accessory: types.Button): types.SectionBlock {
  return { ...block, accessory };
}

function teamLine(team: Team): string {
  const channel = team.slackChannelId ? `<#${team.slackChannelId}>` : 'no channel';
  const agents = team.agentIds.length === 0 ? 'no agents listed (anyone can act)' : `${team.agentIds.length} agent${team.agentIds.length === 1 ? '' : 's'}`;
  const contacts = team.escalationContactIds.length;
  const escalation = contacts > 0 ? ` · ${contacts} escalation contact${contacts === 1 ? '' : 's'}` : '';
  const requests = team.requestChannelIds.length > 0 ? `Requests from ${team.requestChannelIds.map((c) => `<#${c}>`).join(', ')} · ` : '';
  const intake = `${requests}tickets from messages: ${TYPE_LABELS[team.intakeType].toLowerCase()}, ${PRIORITY_LABELS[team.intakePriority].toLowerCase()}`;
  return `*${userText(team.name, NAME_MRKDWN_MAX)}* · ${channel} · ${agents}${escalation}\nAn agent's plain reply is ${team.agentReplyDefault}\n${intake}`;
}

function adminsBlock(model: AdminHomeModel): KnownBlock {
  const listed = model.settings.admin_ids.map((id) => {
    const slackId = model.slackIdOf.get(id);
    return slackId ? mention(slackId) : `\`${escapeMrkdwn(truncate(id, 40))}\``;
  });
  const who = listed.length > 0 ? `${listed.join(', ')}, and the workspace's admins and owners` : "The workspace's admins and owners";
  return withButton(section(`*Helpdesk admins*\n${who}`), button('Edit admins', ADMIN_CONFIG_ACTION.adminsEdit, 'admins'));
}

const FIELD_LABELS: Record<string, string> = {
  slack_channel_id: 'channel',
  agent_ids: 'agents',
  escalation_contact_ids: 'escalation contacts',
  agent_reply_default: 'reply default',
  business_calendar: 'business hours',
  default_team_id: 'default team',
  sla_warning_percent: 'warning %',
  escalation_interval_minutes: 'escalation interval',
  escalation_max: 'escalation maximum',
  intake_emoji: 'ticket reaction',
  intake_skip_prefix: 'skip prefix',
  request_channel_ids: 'request channels',
  intake_type: 'intake type',
  intake_priority: 'intake priority',
  admin_ids: 'helpdesk admins',
  applies_to: 'ticket types',
  first_response_minutes: 'first response target',
  resolution_minutes: 'resolution target',
  next_response_minutes: 'next response target',
  business_hours_only: 'business hours only',
};

const SUBJECT_LABELS: Record<string, string> = { team: 'team', sla_policy: 'SLA policy', settings: 'settings', setup: 'setup' };

/** Setup decisions that are no configuration write: "@ada skipped SLA policies". */
const SETUP_STEPS: Record<string, string> = { sla_policies: 'SLA policies', business_hours: 'business hours' };

const ACTION_VERBS: Record<string, string> = { create: 'created', update: 'changed', deactivate: 'deactivated', activate: 'activated', delete: 'deleted', skip: 'skipped', confirm: 'confirmed' };

/** "Today at 2:05 PM · @ada updated team *IT help*: name, agents" */
function changeLine(change: ConfigChange, model: AdminHomeModel): string {
  const slackId = change.actorId ? model.slackIdOf.get(change.actorId) : undefined;
  const who = slackId ? mention(slackId) : change.appId ? 'An integration' : 'Someone via the API';
  let what = SUBJECT_LABELS[change.subject] ?? change.subject;
  if (change.subject === 'team') {
    const team = model.teams.find((t) => t.id === change.subjectId);
    if (team) what = `team *${userText(team.name, NAME_MRKDWN_MAX)}*`;
  } else if (change.subject === 'setup') {
    what = SETUP_STEPS[change.subjectId ?? ''] ?? 'a setup step';
  } else if (change.subject === 'sla_policy') {
    const name = change.changes.name?.to;
    what = typeof name === 'string' && change.action === 'create' ? `SLA policy *${userText(name, NAME_MRKDWN_MAX)}*` : 'an SLA policy';
  }
  const fields = change.action === 'create' ? [] : Object.keys(change.changes).map((f) => FIELD_LABELS[f] ?? f.replace(/_/g, ' '));
  const verb = ACTION_VERBS[change.action] ?? `${escapeMrkdwn(change.action)}:`;
  return `${slackDate(change.at)} · ${who} ${verb} ${what}${fields.length > 0 ? `: ${escapeMrkdwn(fields.join(', '))}` : ''}`;
}
