/**
 * The one place for Slack identifiers: the slash command, view callbacks, block ids and
 * action ids. The listeners, the block builders and the app manifest all read them here.
 */

export const COMMAND = '/ticket';

export const CALLBACK = {
  createTicketModal: 'ticket_create',
  messageShortcut: 'ticket_from_message',
} as const;

/** Block ids of the create-ticket modal's inputs. */
export const BLOCK = {
  title: 'title',
  description: 'description',
  type: 'type',
  priority: 'priority',
  team: 'team',
  category: 'category',
} as const;

export type ModalBlockId = (typeof BLOCK)[keyof typeof BLOCK];

/** Action id of every modal input: its value is at `view.state.values[BLOCK.x][INPUT_ACTION]`. */
export const INPUT_ACTION = 'value';

/**
 * Interactive message elements. Buttons carry the ticket id (or alert id, for alerts) in
 * `value`; the assign users_select carries the ticket id in its block id (see `assignBlockId`).
 */
export const ACTION = {
  claim: 'ticket_claim',
  assign: 'ticket_assign',
  startProgress: 'ticket_in_progress',
  setPending: 'ticket_pending',
  resolve: 'ticket_resolve',
  close: 'ticket_close',
  reopen: 'ticket_reopen',
  openLink: 'ticket_open_link',
  alertAck: 'alert_ack',
  alertClaim: 'alert_claim',
  /** The card's type and priority pickers (static_select): the ticket id is in their block id (see `fieldsBlockId`). */
  setType: 'ticket_type',
  setPriority: 'ticket_priority',
} as const;

export type ActionId = (typeof ACTION)[keyof typeof ACTION];

/** Every action id a listener must handle (link buttons included: Slack expects an ack). */
export function ticketActionIds(): ActionId[] {
  return Object.values(ACTION);
}

/**
 * The App Home's own buttons. Ticket buttons on Home are the cards' (`ACTION`), with the
 * ticket id as value, so the same handlers and rules run wherever the click comes from.
 */
export const HOME_ACTION = {
  newTicket: 'home_new_ticket',
  /** "Show more" under a Home list; its value names the list. */
  more: 'home_more',
} as const;

const ASSIGN_PREFIX = 'assign:';

/** Block id of the actions block holding the assign users_select: `assign:{ticketId}`. */
export function assignBlockId(ticketId: string): string {
  return `${ASSIGN_PREFIX}${ticketId}`;
}

/** `assign:tkt_01J…` -> `tkt_01J…`; undefined for any other block id. */
export function parseAssignBlockId(blockId: string | undefined): string | undefined {
  return afterPrefix(blockId, ASSIGN_PREFIX);
}

const FIELDS_PREFIX = 'fields:';

/** Block id of the card's actions block holding the type and priority pickers: `fields:{ticketId}`. */
export function fieldsBlockId(ticketId: string): string {
  return `${FIELDS_PREFIX}${ticketId}`;
}

/** `fields:tkt_01J…` -> `tkt_01J…`; undefined for any other block id. */
export function parseFieldsBlockId(blockId: string | undefined): string | undefined {
  return afterPrefix(blockId, FIELDS_PREFIX);
}

function afterPrefix(blockId: string | undefined, prefix: string): string | undefined {
  if (!blockId?.startsWith(prefix)) return undefined;
  const rest = blockId.slice(prefix.length);
  return rest.length > 0 ? rest : undefined;
}

/**
 * The prompt under a person's top-level message in the app's DM: "Create a ticket from this?".
 * Create and Not now carry the message's ts; the team picker's choice comes with the click's
 * state (`state.values[INTAKE_BLOCK.team][INTAKE_ACTION.team]`).
 */
export const INTAKE_ACTION = {
  create: 'intake_create',
  dismiss: 'intake_dismiss',
  team: 'intake_team',
} as const;

export const INTAKE_BLOCK = {
  team: 'intake_team',
  buttons: 'intake_buttons',
} as const;

// ---------------------------------------------------------------------------
// Admin in Slack: teams, settings and helpdesk admins (the App Home's admin section)

/** Buttons of the admin section and the setup checklist. Edit buttons carry the team id in `value`. */
export const ADMIN_CONFIG_ACTION = {
  teamCreate: 'admin_team_create',
  teamEdit: 'admin_team_edit',
  /** The "Edit another team…" picker when there are more teams than the Home lists. */
  teamPick: 'admin_team_pick',
  settingsEdit: 'admin_settings_edit',
  adminsEdit: 'admin_admins_edit',
} as const;

/** The admin modals; the team modal's private_metadata names the team it edits (none: a new team). */
export const ADMIN_CONFIG_CALLBACK = {
  team: 'admin_team',
  settings: 'admin_settings',
  admins: 'admin_admins',
} as const;

/** Block ids of the admin modals' inputs (their element's action id is `INPUT_ACTION`). */
export const ADMIN_CONFIG_BLOCK = {
  teamName: 'team_name',
  teamChannel: 'team_channel',
  teamAgents: 'team_agents',
  teamEscalation: 'team_escalation_contacts',
  teamReplyDefault: 'team_agent_reply_default',
  teamRequestChannels: 'team_request_channels',
  teamIntakeType: 'team_intake_type',
  teamIntakePriority: 'team_intake_priority',
  defaultTeam: 'settings_default_team',
  warningPercent: 'settings_sla_warning_percent',
  escalationInterval: 'settings_escalation_interval',
  escalationMax: 'settings_escalation_max',
  intakeEmoji: 'settings_intake_emoji',
  intakeSkipPrefix: 'settings_intake_skip_prefix',
  admins: 'admins',
} as const;

/**
 * Admin in Slack, SLA policies and business hours: the buttons on the admin's Home and in
 * the admin modals. A policy's buttons carry its id in `value`; the overflow menu on a policy
 * carries `edit:`, `deactivate:` or `activate:` and the id.
 */
export const ADMIN_SLA_ACTION = {
  openSuggested: 'admin_sla_suggested_open',
  skipPolicies: 'admin_sla_policies_skip',
  newPolicy: 'admin_sla_policy_new',
  policyMenu: 'admin_sla_policy_menu',
  pickPolicy: 'admin_sla_policy_pick',
  openBusinessHours: 'admin_sla_hours_open',
  /** Every input of the business-hours modal: a change dispatches it, and the preview is redrawn. */
  hoursInput: 'admin_sla_hours_input',
} as const;

export const ADMIN_SLA_CALLBACK = {
  suggestedPolicies: 'admin_sla_suggested',
  policy: 'admin_sla_policy',
  businessHours: 'admin_sla_hours',
} as const;
