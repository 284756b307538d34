import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import * as server from '../../src/db/schema/index.js';
import type { Weekday as ServerWeekday } from '../../src/domain/sla/calendar.js';
import type { SLA_POLICY_SORTS as SERVER_POLICY_SORTS, slaPolicyCreateSchema, slaPolicyListSchema, slaPolicyUpdateSchema } from '../../src/domain/sla/policies.js';
import type { teamCreateSchema, teamUpdateSchema } from '../../src/domain/teams.js';
import type { settingsUpdateSchema } from '../../src/domain/tenants.js';
import {
  TICKET_SORTS as SERVER_TICKET_SORTS,
  type ticketCreateSchema,
  type ticketListSchema,
  type ticketUpdateSchema,
} from '../../src/domain/tickets/schemas.js';
import type { commentCreateSchema, commentListSchema, commentUpdateSchema } from '../../src/domain/tickets/comments.js';
import type {
  commentPageSchema,
  commentWireSchema,
  problemSchema,
  settingsWireSchema,
  slaPolicyPageSchema,
  slaPolicyWireSchema,
  teamPageSchema,
  teamWireSchema,
  ticketPageSchema,
  ticketWireSchema,
} from '../../src/http/openapi.js';
import { API_PREFIX as SERVER_API_PREFIX } from '../../src/http/paths.js';
import type { Problem as ServerProblem } from '../../src/http/problem.js';
import * as sdk from '../../src/sdk/index.js';
import type {
  BusinessCalendar,
  Comment,
  CommentCreateInput,
  CommentListInput,
  CommentSource,
  CommentUpdateInput,
  CommentVisibility,
  Page,
  Problem,
  Settings,
  SettingsUpdateInput,
  SlaPolicy,
  SlaPolicyCreateInput,
  SlaPolicyListInput,
  SlaPolicySort,
  SlaPolicyStatus,
  SlaPolicyUpdateInput,
  SourceType,
  Team,
  TeamCreateInput,
  TeamUpdateInput,
  Ticket,
  TicketCreateInput,
  TicketListInput,
  TicketPriority,
  TicketSort,
  TicketStatus,
  TicketType,
  TicketUpdateInput,
  Weekday,
} from '../../src/sdk/index.js';

/**
 * Drift guard: the SDK's hand-written types against the server's zod schemas. The
 * assertions below are checked by `npm run typecheck` (tsc reads test/); a mismatch is a
 * compile error naming the line. The runtime tests cover the SDK's constants.
 */

/** True only when A and B are identical (the compiler's own identity check, not mutual assignability). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Extends<A, B> = [A] extends [B] ? true : false;
type Assert<T extends true> = T;

// Answers: exactly what the strict wire schemas (which the API tests parse real responses with) produce.
export type Answers = [
  Assert<Equal<Ticket, z.output<typeof ticketWireSchema>>>,
  Assert<Equal<SlaPolicy, z.output<typeof slaPolicyWireSchema>>>,
  Assert<Equal<Team, z.output<typeof teamWireSchema>>>,
  Assert<Equal<Settings, z.output<typeof settingsWireSchema>>>,
  Assert<Equal<BusinessCalendar, z.output<typeof settingsWireSchema>['business_calendar']>>,
  Assert<Equal<Problem, z.output<typeof problemSchema>>>,
  Assert<Equal<Problem, ServerProblem>>,
  Assert<Equal<Page<Ticket>, z.output<typeof ticketPageSchema>>>,
  Assert<Equal<Page<SlaPolicy>, z.output<typeof slaPolicyPageSchema>>>,
  Assert<Equal<Page<Team>, z.output<typeof teamPageSchema>>>,
  Assert<Equal<Comment, z.output<typeof commentWireSchema>>>,
  Assert<Equal<Page<Comment>, z.output<typeof commentPageSchema>>>,
];

// Enumerations.
export type Enums = [
  Assert<Equal<TicketType, server.TicketType>>,
  Assert<Equal<TicketStatus, server.TicketStatus>>,
  Assert<Equal<TicketPriority, server.TicketPriority>>,
  Assert<Equal<SourceType, server.SourceType>>,
  Assert<Equal<SlaPolicyStatus, server.SlaPolicyStatus>>,
  Assert<Equal<TicketSort, (typeof SERVER_TICKET_SORTS)[number]>>,
  Assert<Equal<Weekday, ServerWeekday>>,
  Assert<Equal<CommentVisibility, server.CommentVisibility>>,
  Assert<Equal<CommentSource, server.CommentSource>>,
];

// Bodies: exactly the input the server's schemas accept (so every SDK value is accepted, and
// every accepted field is offered).
export type Bodies = [
  Assert<Equal<TicketCreateInput, z.input<typeof ticketCreateSchema>>>,
  Assert<Equal<TicketUpdateInput, z.input<typeof ticketUpdateSchema>>>,
  Assert<Equal<SlaPolicyCreateInput, z.input<typeof slaPolicyCreateSchema>>>,
  Assert<Equal<SlaPolicyUpdateInput, z.input<typeof slaPolicyUpdateSchema>>>,
  Assert<Equal<TeamCreateInput, z.input<typeof teamCreateSchema>>>,
  Assert<Equal<TeamUpdateInput, z.input<typeof teamUpdateSchema>>>,
  Assert<Equal<SettingsUpdateInput, z.input<typeof settingsUpdateSchema>>>,
  Assert<Equal<CommentCreateInput, z.input<typeof commentCreateSchema>>>,
  Assert<Equal<CommentUpdateInput, z.input<typeof commentUpdateSchema>>>,
];

// The comment list query: the same keys; `limit` is coerced by the server, so the SDK's number is accepted.
export type CommentListQuery = [
  Assert<Equal<keyof CommentListInput, keyof typeof commentListSchema.shape>>,
  Assert<Extends<CommentListInput, z.input<typeof commentListSchema>>>,
];

// The ticket list query. The server preprocesses several parameters (their zod input type is
// `unknown`), so compare with what it parses them to: the same keys, and per key the same
// values — the SDK taking one or several of a list filter's values, and dates also as strings.
type ServerListQuery = z.output<typeof ticketListSchema>;
type ElementOf<V> = V extends readonly (infer U)[] ? U : V;
type Values<T> = { [K in keyof T]-?: ElementOf<Exclude<T[K], undefined>> };
type ServerValues = {
  [K in keyof ServerListQuery]-?: ElementOf<Exclude<ServerListQuery[K], undefined>> | (ServerListQuery[K] extends Date | undefined ? string : never);
};
/** The query the SDK puts on the wire: lists comma-separated, dates as ISO strings. */
type OnTheWire<T> = { [K in keyof T]: Exclude<T[K], undefined> extends infer V ? (V extends Date | readonly unknown[] ? string : V) : never };

export type ListQuery = [
  Assert<Equal<keyof TicketListInput, keyof typeof ticketListSchema.shape>>,
  Assert<Equal<Values<TicketListInput>, ServerValues>>,
  Assert<Extends<OnTheWire<TicketListInput>, z.input<typeof ticketListSchema>>>,
  // Several values of a list filter, and Date instants, are accepted.
  Assert<Extends<{ status: ['open', 'pending']; created_after: Date }, TicketListInput>>,
];

// The SLA policy list query: plain (not preprocessed) parameters, so the input types compare directly.
export type PolicyListQuery = [
  Assert<Equal<keyof SlaPolicyListInput, keyof typeof slaPolicyListSchema.shape>>,
  Assert<Equal<SlaPolicySort, (typeof SERVER_POLICY_SORTS)[number]>>,
  Assert<Extends<SlaPolicyListInput, z.input<typeof slaPolicyListSchema>>>,
];

// Negative controls: the helpers above do reject mismatches.
export type Controls = [
  Assert<Equal<Equal<{ a: string }, { a: string | null }>, false>>,
  Assert<Equal<Equal<{ a: string }, { a: string; b?: number }>, false>>,
  Assert<Equal<Extends<{ a: number }, { a: string }>, false>>,
];

describe('SDK types and constants', () => {
  it('uses the server’s API prefix', () => {
    expect(sdk.API_PREFIX).toBe(SERVER_API_PREFIX);
  });

  it('exports the server’s enumerations, in the server’s order', () => {
    expect(sdk.TICKET_TYPES).toEqual(server.TICKET_TYPES);
    expect(sdk.TICKET_STATUSES).toEqual(server.TICKET_STATUSES);
    expect(sdk.TICKET_PRIORITIES).toEqual(server.TICKET_PRIORITIES);
    expect(sdk.SOURCE_TYPES).toEqual(server.SOURCE_TYPES);
    expect(sdk.SLA_POLICY_STATUSES).toEqual(server.SLA_POLICY_STATUSES);
    expect(sdk.TICKET_SORTS).toEqual(SERVER_TICKET_SORTS);
  });

  it('exports exactly the documented runtime values', () => {
    expect(Object.keys(sdk).sort()).toEqual(
      [
        'API_PREFIX',
        'HelpdeskApiError',
        'SLA_POLICY_STATUSES',
        'SOURCE_TYPES',
        'TICKET_PRIORITIES',
        'TICKET_SORTS',
        'TICKET_STATUSES',
        'TICKET_TYPES',
        'createClient',
      ].sort(),
    );
  });
});
