/**
 * The types of the Helpdesk REST API as the SDK sees them: hand-written and dependency-free,
 * so the published package needs nothing but itself. Field names are the wire's snake_case;
 * instants travel as ISO 8601 strings (e.g. `2026-01-31T09:00:00.000Z`).
 *
 * `test/sdk/types.test.ts` checks them against the server's zod schemas at compile time, so
 * they cannot drift from what the server actually accepts and answers.
 */

// ---------------------------------------------------------------------------------------------
// Enumerations
// ---------------------------------------------------------------------------------------------

export type TicketType = 'incident' | 'service_request' | 'change' | 'problem';
export type TicketStatus = 'open' | 'in_progress' | 'pending' | 'resolved' | 'closed';
export type TicketPriority = 'low' | 'medium' | 'high' | 'urgent';
/** Which kind of client created or last wrote a record. */
export type SourceType = 'frontend' | 'backend' | 'server' | 'system' | 'api';
export type SlaPolicyStatus = 'active' | 'inactive';
/** Sort orders of the ticket list; a leading `-` means descending. */
export type TicketSort =
  | 'created_at'
  | '-created_at'
  | 'updated_at'
  | '-updated_at'
  | 'number'
  | '-number'
  | 'priority'
  | '-priority';
/** Sort orders of the SLA policy list; a leading `-` means descending. */
export type SlaPolicySort = 'created_at' | '-created_at' | 'name' | '-name' | 'priority' | '-priority';
/** `internal` comments are seen only by the ticket's team agents and by integrations. */
export type CommentVisibility = 'public' | 'internal';
/** Where a comment was written: a Slack thread of the ticket, or this API. */
export type CommentSource = 'slack' | 'api';
export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

/** An ISO 8601 instant as the server writes it, e.g. `2026-01-31T09:00:00.000Z`. */
export type Instant = string;

// ---------------------------------------------------------------------------------------------
// Records (answers)
// ---------------------------------------------------------------------------------------------

/** Server-stamped fields shared by tickets and SLA policies. */
export interface RecordFields {
  id: string;
  /** The workspace (tenant) the record belongs to: the token's `tenant_id`. */
  tenant_id: string;
  /** The integration app that created the record (`null` for people). */
  app_id: string | null;
  created_at: Instant;
  updated_at: Instant;
  /** Person id of the creator (the token's `sub`). */
  created_by: string | null;
  updated_by: string | null;
  /** Free-form origin label, e.g. `edm` or `slack`. */
  source: string;
  source_type: SourceType;
  is_deleted: boolean;
  deleted_at: Instant | null;
  deleted_by: string | null;
  schema_version: number;
}

export interface Ticket extends RecordFields {
  /** Human-friendly number, e.g. `TKT-0001`; `tickets.get` accepts it in place of the id. */
  number: string;
  title: string;
  description: string | null;
  type: TicketType;
  status: TicketStatus;
  priority: TicketPriority;
  category: string | null;
  /** Person id of the requester. */
  submitted_by_id: string | null;
  /** Person id of the agent working on it. */
  assigned_to_id: string | null;
  team_id: string | null;
  /** Id of the SLA policy governing the ticket, if any. */
  sla_policy: string | null;
  first_response_at: Instant | null;
  /** When the first response is due under the SLA policy. */
  first_response_due_at: Instant | null;
  resolved_at: Instant | null;
  closed_at: Instant | null;
  /** When resolution is due under the SLA policy. */
  due_at: Instant | null;
  /** Incremented each time a reopened ticket restarts its SLA clocks. */
  sla_cycle: number;
  /**
   * Extension beyond the API reference (read-only): when the team's answer to the requester's
   * latest unanswered public comment is due; null when nobody is waiting or there is no target.
   */
  next_response_due_at: Instant | null;
  related_asset_id: string | null;
  related_vulnerability_id: string | null;
  tags: string[];
}

export interface SlaPolicy extends RecordFields {
  name: string;
  description: string | null;
  /** Ticket types the policy covers. */
  applies_to: TicketType[];
  priority: TicketPriority;
  /** First-response target in minutes. */
  first_response_minutes: number;
  /** Alternative spelling of `first_response_minutes`. */
  first_response_mins: number | null;
  /** Resolution target in minutes. */
  resolution_minutes: number;
  /** Alternative spelling of `resolution_minutes`. */
  resolution_mins: number | null;
  /**
   * Extension beyond the API reference: after a requester's public comment (once the first
   * response was given) the team answers within this many minutes; null: no such target.
   */
  next_response_minutes: number | null;
  /** Count only the business hours of the workspace's calendar. */
  business_hours_only: boolean;
  status: SlaPolicyStatus;
}

export interface Team {
  id: string;
  tenant_id: string;
  name: string;
  /** Slack channel the team is notified in, e.g. `C0123ABCD`. */
  slack_channel_id: string | null;
  /** Person ids of the team's agents. */
  agent_ids: string[];
  /** Person ids mentioned when an unacknowledged SLA breach is escalated. */
  escalation_contact_ids: string[];
  /** What an agent's plain message in a ticket card's thread is (see `TeamCreateInput`). */
  agent_reply_default: CommentVisibility;
  /** Channels whose new top-level messages (by anyone but the team's agents) become the team's tickets. */
  request_channel_ids: string[];
  /** Type of the team's tickets raised from a Slack message (default `incident`). */
  intake_type: TicketType;
  /** Priority of the team's tickets raised from a Slack message (default `medium`). */
  intake_priority: TicketPriority;
  created_at: Instant;
  updated_at: Instant;
  created_by: string | null;
  updated_by: string | null;
}

export interface BusinessCalendar {
  /** IANA zone the hours and holidays are expressed in, e.g. `America/New_York`. */
  timezone: string;
  /** Local opening intervals per weekday, `[start, end)`, e.g. `mon: [["09:00", "17:00"]]`; `24:00` ends at midnight. */
  hours: { [D in Weekday]?: Array<[string, string]> };
  /** Local dates (`YYYY-MM-DD`, in `timezone`) on which SLA clocks do not run. */
  holidays: string[];
}

/** The workspace settings. */
export interface Settings {
  /** Business hours that SLA policies with `business_hours_only` count in. */
  business_calendar: BusinessCalendar;
  /** Team new tickets go to when they name none. */
  default_team_id: string | null;
  /** Share of an SLA target (percent) after which a warning ("at risk") is posted. */
  sla_warning_percent: number;
  /** Minutes between re-announcements of an unacknowledged breach. */
  escalation_interval_minutes: number;
  /** How many times an unacknowledged breach is re-announced (0: never). */
  escalation_max: number;
  /** The helpdesk's admins (person ids), besides the workspace's admins and owners in Slack. */
  admin_ids: string[];
  /** The reaction (an emoji name) that raises a ticket from a message; default `ticket`. */
  intake_emoji: string;
  /** A request channel's message starting with this is not a ticket; default `[no-ticket]`, `''` for none. */
  intake_skip_prefix: string;
}

/** One message of a ticket's conversation. */
export interface Comment {
  /** `cmt_…` */
  id: string;
  ticket_id: string;
  /** Person id of the writer (the token's `sub`); `null` when the app itself wrote it. */
  author_id: string | null;
  visibility: CommentVisibility;
  /** Markdown (Slack messages are converted). */
  body: string;
  source: CommentSource;
  created_at: Instant;
  updated_at: Instant;
  /** When the body was last edited; `null` if never. */
  edited_at: Instant | null;
}

/** One page of a list; pass `next_cursor` back as `cursor` for the next (`null` on the last). */
export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface ProblemFieldError {
  /** Dotted path, e.g. `tags.1`; `''` for the document root. */
  path: string;
  /** RFC 6901 JSON pointer, e.g. `/tags/1`; `''` for the document root. */
  pointer: string;
  message: string;
}

/** RFC 9457 problem details: the body of every error answer. */
export interface Problem {
  /** URI identifying the problem type, e.g. `https://helpdesk.dev/problems/validation-failed`. */
  type: string;
  title: string;
  /** The HTTP status. */
  status: number;
  detail?: string;
  instance?: string;
  /** Stable snake_case code to switch on, e.g. `validation_failed`, `not_found`, `http_error`. */
  code: string;
  /** One entry per failing field (validation problems). */
  errors?: ProblemFieldError[];
  /** The record in the way (conflicts), e.g. the active SLA policy that already covers a type. */
  conflicting_id?: string;
  /** The scope an integration token lacks (`insufficient_scope`), e.g. `helpdesk:write`. */
  required_scope?: string;
}

// ---------------------------------------------------------------------------------------------
// Inputs (requests)
// ---------------------------------------------------------------------------------------------

/** A new comment; posted into the ticket's Slack threads as the app, on behalf of the caller. */
export interface CommentCreateInput {
  /** Markdown, 1 to 40,000 characters, not only whitespace. */
  body: string;
  /** Defaults to `public`; `internal` needs an agent of the ticket's team (or an integration token). */
  visibility?: CommentVisibility | undefined;
}

/** An edit of your own comment. */
export interface CommentUpdateInput {
  body: string;
}

/** A page of a ticket's comments, oldest first. */
export interface CommentListInput {
  /** 1 to 200; defaults to 50. */
  limit?: number;
  /** `next_cursor` of the previous page. */
  cursor?: string;
}

/** A new ticket. Server-stamped fields (`id`, `number`, `due_at`, …) are ignored if sent. */
export interface TicketCreateInput {
  /** 1 to 200 characters. */
  title: string;
  description?: string | null;
  /** Defaults to `incident`. */
  type?: TicketType;
  /** Defaults to `medium`. */
  priority?: TicketPriority;
  category?: string | null;
  /** Person id of the requester; defaults to the caller. */
  submitted_by_id?: string;
  assigned_to_id?: string | null;
  /** Defaults to the workspace's `default_team_id`. */
  team_id?: string | null;
  related_asset_id?: string | null;
  related_vulnerability_id?: string | null;
  /** At most 30 tags of at most 50 characters; duplicates are dropped. */
  tags?: string[];
  source?: string;
  source_type?: SourceType;
  /** A new ticket is always open; accepted so a fetched record may be echoed. */
  status?: 'open';
}

/** A partial update: only the fields sent change; `null` clears a nullable field. */
export interface TicketUpdateInput {
  title?: string;
  description?: string | null;
  type?: TicketType;
  priority?: TicketPriority;
  category?: string | null;
  submitted_by_id?: string;
  assigned_to_id?: string | null;
  team_id?: string | null;
  related_asset_id?: string | null;
  related_vulnerability_id?: string | null;
  tags?: string[];
  /** A status change; transitions the workflow forbids are a 409. */
  status?: TicketStatus;
  source?: string;
  source_type?: SourceType;
}

/** Filters, order and paging of `tickets.list`. */
export interface TicketListInput {
  /** One status or several (any of them matches). */
  status?: TicketStatus | TicketStatus[];
  priority?: TicketPriority | TicketPriority[];
  type?: TicketType | TicketType[];
  /** `none` selects tickets without a team. */
  team_id?: string;
  /** `none` selects unassigned tickets. */
  assigned_to_id?: string;
  submitted_by_id?: string;
  category?: string;
  /** Tickets carrying this tag. */
  tag?: string;
  created_after?: string | Date;
  created_before?: string | Date;
  updated_after?: string | Date;
  updated_before?: string | Date;
  /** Full-text search over number, title and description. */
  q?: string;
  /** Include soft-deleted tickets. */
  include_deleted?: boolean;
  /** Defaults to `-created_at` (newest first). */
  sort?: TicketSort;
  /** Page size, 1 to 200; defaults to 50. */
  limit?: number;
  /** `next_cursor` of the previous page. */
  cursor?: string;
}

/** Filters, order and paging of `slaPolicies.list`. */
export interface SlaPolicyListInput {
  status?: SlaPolicyStatus;
  priority?: TicketPriority;
  /** Policies whose `applies_to` includes this ticket type. */
  type?: TicketType;
  /** Defaults to `created_at` (oldest first). */
  sort?: SlaPolicySort;
  /** Page size, 1 to 200; defaults to 50. */
  limit?: number;
  /** `next_cursor` of the previous page. */
  cursor?: string;
}

/**
 * A new SLA policy. Either spelling of each target may be sent (both must agree when both
 * are); one of `first_response_minutes`/`first_response_mins` and one of
 * `resolution_minutes`/`resolution_mins` is required.
 */
export interface SlaPolicyCreateInput {
  name: string;
  description?: string | null;
  /** At least one ticket type. */
  applies_to: TicketType[];
  priority: TicketPriority;
  first_response_minutes?: number;
  first_response_mins?: number;
  resolution_minutes?: number;
  resolution_mins?: number;
  /** Extension beyond the API reference: the next-response target in minutes; null or absent for none. */
  next_response_minutes?: number | null;
  /** Defaults to `false` (the clock runs around the clock). */
  business_hours_only?: boolean;
  /** Defaults to `active`; at most one active policy per (type, priority), else 409. */
  status?: SlaPolicyStatus;
  source?: string;
  source_type?: SourceType;
}

export type SlaPolicyUpdateInput = Partial<SlaPolicyCreateInput>;

export interface TeamCreateInput {
  /** Unique within the workspace, at most 80 characters. */
  name: string;
  /** A Slack channel id such as `C0123ABCD`. */
  slack_channel_id?: string | null;
  /** The agents: person ids (they must exist), or Slack user ids such as `U0123ABCD` (people are created for them). */
  agent_ids?: string[];
  /** Mentioned when an unacknowledged SLA breach is escalated; person ids or Slack user ids, like `agent_ids`. */
  escalation_contact_ids?: string[];
  /**
   * What an agent's plain message in a ticket card's thread is: `public` (the default; it reaches
   * the requester, `note:` or :lock: keeps it with the agents) or `internal` (it stays with the
   * agents, `reply:` sends it to the requester).
   */
  agent_reply_default?: CommentVisibility;
  /**
   * Request channels (at most 20 channel ids): every new top-level message there by someone who
   * is not one of the team's agents becomes its ticket. A channel can be one team's only (409).
   */
  request_channel_ids?: string[];
  /** Type of the team's tickets raised from a Slack message (default `incident`). */
  intake_type?: TicketType;
  /** Priority of the team's tickets raised from a Slack message (default `medium`). */
  intake_priority?: TicketPriority;
}

/** Only the fields sent change; `agent_ids` replaces the whole list. */
export type TeamUpdateInput = Partial<TeamCreateInput>;

export interface SettingsUpdateInput {
  /** Replaces the whole calendar. */
  business_calendar?: BusinessCalendar;
  /** `null` clears it. */
  default_team_id?: string | null;
  /** Share of an SLA target (1-99, default 75) after which a warning ("at risk") is posted. */
  sla_warning_percent?: number;
  /** Minutes between re-announcements of an unacknowledged breach (default 60). */
  escalation_interval_minutes?: number;
  /** How many times an unacknowledged breach is re-announced (0-100, default 3; 0: never). */
  escalation_max?: number;
  /** Replaces the helpdesk's admins: person ids, or Slack user ids (`U0123ABCD`, stored as their person ids). */
  admin_ids?: string[];
  /** The reaction that raises a ticket from a message: an emoji name (`ticket`, or `:ticket:`). */
  intake_emoji?: string;
  /** A request channel's message starting with this (case-insensitive) is not a ticket; `''` turns it off. At most 30 characters. */
  intake_skip_prefix?: string;
}

// ---------------------------------------------------------------------------------------------
// Transport
// ---------------------------------------------------------------------------------------------

/** The part of a `fetch` Response the client reads. */
export interface FetchResponse {
  ok: boolean;
  status: number;
  statusText: string;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}

/** The request the client hands its `fetch`. */
export interface FetchInit {
  method: string;
  headers: Record<string, string>;
  body?: string;
}

/** Any `fetch`-compatible function (the global one by default). */
export type FetchLike = (url: string, init: FetchInit) => Promise<FetchResponse>;
