/**
 * Admin in Slack, SLA part: the policy modals, the business-hours modal with its live
 * preview, and the admin Home's policy grid and checklist steps; and reading the modals back.
 * Pure builders: the listeners load what they show and call the domain with what they read.
 */
import type { types, ViewOutput } from '@slack/bolt';
import { DateTime } from 'luxon';
import { TICKET_PRIORITIES, TICKET_TYPES, type TicketPriority, type TicketType } from '../../db/schema/enums.js';
import type { SlaPolicy } from '../../domain/sla/policies.js';
import type { SuggestedPolicy } from '../../domain/sla/setup.js';
import type { BusinessCalendar, Weekday } from '../../domain/sla/calendar.js';
import { ADMIN_SLA_ACTION, ADMIN_SLA_CALLBACK, INPUT_ACTION } from '../ids.js';
import { actions, button, context, option, plain, section, SLACK_LIMITS, type KnownBlock, type PlainTextOption } from './elements.js';
import { escapeMrkdwn, formatDuration, PRIORITY_EMOJI, PRIORITY_LABELS, truncate, TYPE_LABELS, userText } from './text.js';

type InputBlock = types.InputBlock;
type ModalView = types.ModalView;
type Values = ViewOutput['state']['values'];

export const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const WEEKDAY_LABELS: Record<Weekday, string> = { mon: 'Monday', tue: 'Tuesday', wed: 'Wednesday', thu: 'Thursday', fri: 'Friday', sat: 'Saturday', sun: 'Sunday' };
const WEEKDAY_SHORT: Record<Weekday, string> = { mon: 'Mon', tue: 'Tue', wed: 'Wed', thu: 'Thu', fri: 'Fri', sat: 'Sat', sun: 'Sun' };

/** The target the business-hours preview computes a deadline for. */
export const PREVIEW_TARGET_MINUTES = 4 * 60;

// ---------------------------------------------------------------------------
// Small inputs

function minutesInput(blockId: string, label: string, initial: number | null | undefined, options: { optional?: boolean; hint?: string } = {}): InputBlock {
  return {
    type: 'input',
    block_id: blockId,
    label: plain(label),
    ...(options.optional ? { optional: true } : {}),
    ...(options.hint ? { hint: plain(options.hint) } : {}),
    element: {
      type: 'number_input',
      action_id: INPUT_ACTION,
      // Whole minutes; the domain says what else is wrong (0, too large, unreachable in business hours).
      is_decimal_allowed: false,
      ...(initial !== null && initial !== undefined ? { initial_value: String(initial) } : {}),
    },
  };
}

function checkboxesInput(blockId: string, label: string, choices: PlainTextOption[], checked: readonly string[]): InputBlock {
  const initial = choices.filter((c) => checked.includes(c.value!));
  return {
    type: 'input',
    block_id: blockId,
    label: plain(label),
    optional: true,
    element: { type: 'checkboxes', action_id: INPUT_ACTION, options: choices, ...(initial.length ? { initial_options: initial } : {}) },
  };
}

/** A number input's value as the domain should see it: absent when empty, a number when it is one, else the text as typed. */
function numberValue(values: Values, block: string): number | string | undefined {
  const raw = values[block]?.[INPUT_ACTION]?.value;
  if (raw === null || raw === undefined || raw.trim() === '') return undefined;
  const n = Number(raw);
  return Number.isFinite(n) ? n : raw;
}

function checkedValues(values: Values, block: string): string[] {
  return (values[block]?.[INPUT_ACTION]?.selected_options ?? []).map((o) => o.value ?? '');
}

/** A small modal that only says something (a refusal, an outcome); closes with OK. */
export function noticeModal(title: string, text: string): ModalView {
  return { type: 'modal', title: plain(truncate(title, SLACK_LIMITS.modalTitle)), close: plain('OK'), blocks: [section(text)] };
}

// ---------------------------------------------------------------------------
// Suggested policy set (setup step 2)

export const SUGGESTED_BLOCK = {
  intro: 'sla_suggest_intro',
  skip: 'sla_suggest_skip',
  heading: (p: TicketPriority) => `sla_suggest_${p}`,
  first: (p: TicketPriority) => `sla_suggest_${p}_first`,
  resolution: (p: TicketPriority) => `sla_suggest_${p}_resolution`,
  options: (p: TicketPriority) => `sla_suggest_${p}_options`,
} as const;

const CREATE = 'create';
const BUSINESS_HOURS = 'business_hours_only';
const ACTIVE = 'active';

/** The suggested set, one editable row per priority; each row can be left out. */
export function suggestedPoliciesModal(suggested: readonly SuggestedPolicy[]): ModalView {
  const blocks: KnownBlock[] = [
    { ...section('Start from these targets, one policy per priority for every ticket type; change any number, or untick a row to leave it out. Targets are in *minutes* (240 = 4 hours).'), block_id: SUGGESTED_BLOCK.intro },
  ];
  for (const row of suggested) {
    const label = PRIORITY_LABELS[row.priority];
    blocks.push(
      { ...section(`*${PRIORITY_EMOJI[row.priority] ? `${PRIORITY_EMOJI[row.priority]} ` : ''}${label}*`), block_id: SUGGESTED_BLOCK.heading(row.priority) },
      minutesInput(SUGGESTED_BLOCK.first(row.priority), `${label}: first response (minutes)`, row.first_response_minutes),
      minutesInput(SUGGESTED_BLOCK.resolution(row.priority), `${label}: resolution (minutes)`, row.resolution_minutes),
      checkboxesInput(
        SUGGESTED_BLOCK.options(row.priority),
        `${label}: options`,
        [option(`Create the ${label} policy`, CREATE), option('Count business hours only', BUSINESS_HOURS)],
        row.business_hours_only ? [CREATE, BUSINESS_HOURS] : [CREATE],
      ),
    );
  }
  blocks.push(
    context('Rather not have SLA targets for now? Tickets then get no deadlines; you can add policies from Home at any time.'),
    actions([button('No SLA policies', ADMIN_SLA_ACTION.skipPolicies, 'skip')], SUGGESTED_BLOCK.skip),
  );
  return {
    type: 'modal',
    callback_id: ADMIN_SLA_CALLBACK.suggestedPolicies,
    title: plain('SLA policies'),
    submit: plain('Create policies'),
    close: plain('Cancel'),
    blocks,
  };
}

/** What a submitted suggested-set modal asks to create: policy inputs, and for each, the row's priority. */
export function readSuggestedPolicies(values: Values, suggested: readonly SuggestedPolicy[]): { inputs: Record<string, unknown>[]; rows: TicketPriority[] } {
  const inputs: Record<string, unknown>[] = [];
  const rows: TicketPriority[] = [];
  for (const row of suggested) {
    const options = checkedValues(values, SUGGESTED_BLOCK.options(row.priority));
    if (!options.includes(CREATE)) continue;
    rows.push(row.priority);
    inputs.push({
      name: row.name,
      applies_to: [...TICKET_TYPES],
      priority: row.priority,
      first_response_minutes: numberValue(values, SUGGESTED_BLOCK.first(row.priority)),
      resolution_minutes: numberValue(values, SUGGESTED_BLOCK.resolution(row.priority)),
      business_hours_only: options.includes(BUSINESS_HOURS),
      source: 'slack',
      source_type: 'frontend',
    });
  }
  return { inputs, rows };
}

/** Error paths of `createSlaPolicies` (index first) -> the row's blocks. */
export function suggestedErrorBlocks(rows: readonly TicketPriority[]): Record<string, string> {
  const map: Record<string, string> = {};
  rows.forEach((p, i) => {
    map[String(i)] = SUGGESTED_BLOCK.options(p);
    for (const field of ['first_response_minutes', 'first_response_mins']) map[`${i}.${field}`] = SUGGESTED_BLOCK.first(p);
    for (const field of ['resolution_minutes', 'resolution_mins']) map[`${i}.${field}`] = SUGGESTED_BLOCK.resolution(p);
  });
  return map;
}

// ---------------------------------------------------------------------------
// One policy: create or edit

export const POLICY_BLOCK = {
  name: 'sla_policy_name',
  types: 'sla_policy_types',
  priority: 'sla_policy_priority',
  first: 'sla_policy_first',
  resolution: 'sla_policy_resolution',
  next: 'sla_policy_next',
  options: 'sla_policy_options',
} as const;

/** Domain error paths -> the policy modal's blocks. */
export const POLICY_ERROR_BLOCKS: Record<string, string> = {
  name: POLICY_BLOCK.name,
  applies_to: POLICY_BLOCK.types,
  priority: POLICY_BLOCK.priority,
  first_response_minutes: POLICY_BLOCK.first,
  first_response_mins: POLICY_BLOCK.first,
  resolution_minutes: POLICY_BLOCK.resolution,
  resolution_mins: POLICY_BLOCK.resolution,
  next_response_minutes: POLICY_BLOCK.next,
  business_hours_only: POLICY_BLOCK.options,
  status: POLICY_BLOCK.options,
};

/** What the policy modal carries back: which policy, at which revision (none: a new one). */
export interface PolicyModalMetadata {
  id?: string;
  revision?: number;
}

export function policyModal(policy?: Pick<SlaPolicy, 'id' | 'revision' | 'name' | 'appliesTo' | 'priority' | 'firstResponseMinutes' | 'resolutionMinutes' | 'nextResponseMinutes' | 'businessHoursOnly' | 'status'>): ModalView {
  const priorities = TICKET_PRIORITIES.map((p) => option(PRIORITY_LABELS[p], p));
  const selected = priorities.find((o) => o.value === (policy?.priority ?? 'medium'));
  const metadata: PolicyModalMetadata = policy ? { id: policy.id, revision: policy.revision } : {};
  const blocks: KnownBlock[] = [
    {
      type: 'input',
      block_id: POLICY_BLOCK.name,
      label: plain('Name'),
      element: {
        type: 'plain_text_input',
        action_id: INPUT_ACTION,
        max_length: 200,
        ...(policy ? { initial_value: truncate(policy.name, 200) } : {}),
        placeholder: plain('e.g. Urgent incidents'),
      },
    },
    checkboxesInput(
      POLICY_BLOCK.types,
      'Ticket types',
      TICKET_TYPES.map((t) => option(TYPE_LABELS[t], t)),
      policy?.appliesTo ?? [...TICKET_TYPES],
    ),
    {
      type: 'input',
      block_id: POLICY_BLOCK.priority,
      label: plain('Priority'),
      element: { type: 'static_select', action_id: INPUT_ACTION, placeholder: plain('Choose a priority'), options: priorities, ...(selected ? { initial_option: selected } : {}) },
    },
    minutesInput(POLICY_BLOCK.first, 'First response (minutes)', policy?.firstResponseMinutes, { hint: 'Minutes from the ticket being raised to the first answer; 60 = 1 hour.' }),
    minutesInput(POLICY_BLOCK.resolution, 'Resolution (minutes)', policy?.resolutionMinutes, { hint: '1440 = 24 hours.' }),
    minutesInput(POLICY_BLOCK.next, 'Next response (minutes)', policy?.nextResponseMinutes, {
      optional: true,
      hint: "After a requester's reply, the team answers within this many minutes. Empty: no such target.",
    }),
    checkboxesInput(
      POLICY_BLOCK.options,
      'Options',
      [option('Count business hours only', BUSINESS_HOURS), option('Active', ACTIVE)],
      [...(policy?.businessHoursOnly ? [BUSINESS_HOURS] : []), ...(!policy || policy.status === 'active' ? [ACTIVE] : [])],
    ),
  ];
  return {
    type: 'modal',
    callback_id: ADMIN_SLA_CALLBACK.policy,
    title: plain(policy ? 'Edit SLA policy' : 'New SLA policy'),
    submit: plain('Save'),
    close: plain('Cancel'),
    private_metadata: JSON.stringify(metadata),
    blocks,
  };
}

/** The policy modal's values as the policy API's fields (validation is the domain's). */
export function readPolicyModal(values: Values): Record<string, unknown> {
  const options = checkedValues(values, POLICY_BLOCK.options);
  const next = numberValue(values, POLICY_BLOCK.next);
  const priority = values[POLICY_BLOCK.priority]?.[INPUT_ACTION]?.selected_option?.value ?? undefined;
  return {
    name: values[POLICY_BLOCK.name]?.[INPUT_ACTION]?.value ?? '',
    applies_to: checkedValues(values, POLICY_BLOCK.types),
    ...(priority ? { priority } : {}),
    first_response_minutes: numberValue(values, POLICY_BLOCK.first),
    resolution_minutes: numberValue(values, POLICY_BLOCK.resolution),
    next_response_minutes: next ?? null,
    business_hours_only: options.includes(BUSINESS_HOURS),
    status: options.includes(ACTIVE) ? 'active' : 'inactive',
  };
}

/** The metadata `policyModal` wrote; `'malformed'` when it is not that (a forgery or a bug). */
export function readPolicyMetadata(raw: string | undefined): PolicyModalMetadata | 'malformed' {
  if (!raw) return {};
  try {
    const parsed = JSON.parse(raw) as unknown;
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return 'malformed';
    const { id, revision } = parsed as Record<string, unknown>;
    if (id !== undefined && typeof id !== 'string') return 'malformed';
    if (revision !== undefined && !Number.isInteger(revision)) return 'malformed';
    return { ...(id !== undefined ? { id } : {}), ...(revision !== undefined ? { revision: revision as number } : {}) };
  } catch {
    return 'malformed';
  }
}

// ---------------------------------------------------------------------------
// Business hours (setup step 3)

export const HOURS_BLOCK = {
  timezone: 'sla_hours_timezone',
  day: (d: Weekday) => `sla_hours_${d}`,
  holidays: 'sla_hours_holidays',
  preview: 'sla_hours_preview',
  help: 'sla_hours_help',
} as const;

/** Domain error paths (`business_calendar.…`) -> the business-hours modal's blocks. */
export const HOURS_ERROR_BLOCKS: Record<string, string> = {
  // The whole calendar (too thin for a policy) or the week (no day open): fixed in the hours.
  business_calendar: HOURS_BLOCK.day('mon'),
  'business_calendar.hours': HOURS_BLOCK.day('mon'),
  'business_calendar.timezone': HOURS_BLOCK.timezone,
  'business_calendar.holidays': HOURS_BLOCK.holidays,
  ...Object.fromEntries(WEEKDAYS.map((d) => [`business_calendar.hours.${d}`, HOURS_BLOCK.day(d)])),
};

/** What the modal's inputs hold, as typed. */
export interface HoursForm {
  timezone: string | undefined;
  days: Record<Weekday, string>;
  holidays: string;
  /**
   * Set when the stored holidays do not all fit the input (3000 characters, some 270 dates):
   * those before this date are not shown, and are kept as they are when the form is saved.
   */
  keptBefore?: string | undefined;
}

export function formOfCalendar(calendar: BusinessCalendar): HoursForm {
  const days = Object.fromEntries(WEEKDAYS.map((d) => [d, (calendar.hours[d] ?? []).map(([s, e]) => `${s}-${e}`).join(', ')])) as Record<Weekday, string>;
  const holidays = [...calendar.holidays].sort();
  // The newest ones are shown: the dates still to come are what an admin edits.
  while (holidays.join('\n').length > SLACK_LIMITS.inputMaxLength) holidays.shift();
  const keptBefore = holidays.length < calendar.holidays.length ? holidays[0] : undefined;
  return { timezone: calendar.timezone, days, holidays: holidays.join('\n'), ...(keptBefore ? { keptBefore } : {}) };
}

/** The modal's state (a submission, or a block_actions payload's view) as typed. */
export function readHoursForm(view: { state: { values: Values }; private_metadata?: string | undefined }): HoursForm {
  const values = view.state.values;
  const text = (block: string) => values[block]?.[ADMIN_SLA_ACTION.hoursInput]?.value ?? '';
  return {
    timezone: values[HOURS_BLOCK.timezone]?.[ADMIN_SLA_ACTION.hoursInput]?.selected_option?.value ?? undefined,
    days: Object.fromEntries(WEEKDAYS.map((d) => [d, text(HOURS_BLOCK.day(d))])) as Record<Weekday, string>,
    holidays: text(HOURS_BLOCK.holidays),
    ...keptBeforeOf(view.private_metadata),
  };
}

function keptBeforeOf(metadata: string | undefined): { keptBefore?: string } {
  try {
    const kept = (JSON.parse(metadata || '{}') as { kept_before?: unknown } | null)?.kept_before;
    return typeof kept === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(kept) ? { keptBefore: kept } : {};
  } catch {
    return {};
  }
}

const RANGE = /^\s*(\d{1,2}:\d{2})\s*(?:-|–|—|to)\s*(\d{1,2}:\d{2})\s*$/i;
const padTime = (t: string) => (t.length === 4 ? `0${t}` : t);

/**
 * The form as the settings API's `business_calendar`: "09:00-12:00, 13:00-17:30" per day
 * (empty or "closed": closed), one holiday per line ("2026-12-25 Christmas": the date; a name
 * after it is for the admin's eyes). Anything else is passed on as typed, so the domain's own
 * validation names what is wrong, with a path to the day or the holiday.
 */
export function calendarOfForm(form: HoursForm): { timezone: unknown; hours: Record<string, Array<[string, string]>>; holidays: string[] } {
  const hours: Record<string, Array<[string, string]>> = {};
  for (const d of WEEKDAYS) {
    const text = form.days[d].trim();
    if (text === '' || /^closed$/i.test(text)) continue;
    hours[d] = text
      .split(/[,;]/)
      .map((part) => part.trim())
      .filter(Boolean)
      .map((part): [string, string] => {
        const m = RANGE.exec(part);
        if (m) return [padTime(m[1]!), padTime(m[2]!)];
        const [start = part, end = ''] = part.split('-').map((s) => s.trim());
        return [start, end];
      });
  }
  const holidays = form.holidays
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => line.split(/\s+/)[0]!);
  return { timezone: form.timezone ?? '', hours, holidays };
}

/** Every IANA zone the runtime knows, grouped by region: each group and the list within Slack's 100. */
export function timezoneOptionGroups(selected: string | undefined): Array<{ label: types.PlainTextElement; options: PlainTextOption[] }> {
  const zones = [...Intl.supportedValuesOf('timeZone'), 'UTC'];
  if (selected && !zones.includes(selected)) zones.push(selected);
  const regions = new Map<string, string[]>();
  for (const zone of zones.sort()) {
    const region = zone.includes('/') ? zone.split('/')[0]! : 'Other';
    regions.set(region, [...(regions.get(region) ?? []), zone]);
  }
  const groups: Array<{ label: types.PlainTextElement; options: PlainTextOption[] }> = [];
  for (const [region, list] of regions) {
    const chunks = Math.ceil(list.length / SLACK_LIMITS.selectOptions);
    for (let i = 0; i < chunks; i++) {
      const chunk = list.slice(i * SLACK_LIMITS.selectOptions, (i + 1) * SLACK_LIMITS.selectOptions);
      const first = chunk[0]!.slice(region.length + 1, region.length + 2);
      const last = chunk.at(-1)!.slice(region.length + 1, region.length + 2);
      groups.push({ label: plain(chunks > 1 ? `${region} (${first}–${last})` : region), options: chunk.map((z) => option(z, z)) });
    }
  }
  return groups.slice(0, SLACK_LIMITS.selectOptions);
}

function hoursTextInput(blockId: string, label: string, initial: string, options: { multiline?: boolean; placeholder: string; hint?: string }): InputBlock {
  return {
    type: 'input',
    block_id: blockId,
    label: plain(label),
    optional: true,
    // Each change is dispatched (block_actions with the view), so the preview follows the typing.
    dispatch_action: true,
    ...(options.hint ? { hint: plain(options.hint) } : {}),
    element: {
      type: 'plain_text_input',
      action_id: ADMIN_SLA_ACTION.hoursInput,
      max_length: SLACK_LIMITS.inputMaxLength,
      ...(options.multiline ? { multiline: true } : {}),
      placeholder: plain(options.placeholder),
      dispatch_action_config: { trigger_actions_on: ['on_enter_pressed', 'on_character_entered'] },
      ...(initial ? { initial_value: truncate(initial, SLACK_LIMITS.inputMaxLength) } : {}),
    },
  };
}

/** The business-hours modal: time zone, hours per weekday, holidays, and `preview` (see `hoursPreview`). */
export function businessHoursModal(form: HoursForm, preview: string): ModalView {
  const groups = timezoneOptionGroups(form.timezone);
  const initial = groups.flatMap((g) => g.options).find((o) => o.value === form.timezone);
  const blocks: KnownBlock[] = [
    {
      type: 'input',
      block_id: HOURS_BLOCK.timezone,
      label: plain('Time zone'),
      dispatch_action: true,
      element: {
        type: 'static_select',
        action_id: ADMIN_SLA_ACTION.hoursInput,
        placeholder: plain('Choose a time zone'),
        option_groups: groups,
        ...(initial ? { initial_option: initial } : {}),
      },
    },
    { ...context('Hours per weekday as `09:00-12:00, 13:00-17:30` (several intervals a day; `24:00` ends at midnight); empty means closed.'), block_id: HOURS_BLOCK.help },
    ...WEEKDAYS.map((d) => hoursTextInput(HOURS_BLOCK.day(d), WEEKDAY_LABELS[d], form.days[d], { placeholder: d === 'sat' || d === 'sun' ? 'Closed' : '09:00-17:00' })),
    hoursTextInput(HOURS_BLOCK.holidays, 'Holidays', form.holidays, {
      multiline: true,
      placeholder: '2026-12-25 Christmas',
      hint: `One date a line, YYYY-MM-DD in the time zone above; a name after the date is for you (only the dates are kept).${form.keptBefore ? ` Holidays before ${form.keptBefore} are not shown and stay as they are.` : ''}`,
    }),
    { ...section(preview), block_id: HOURS_BLOCK.preview },
  ];
  return {
    type: 'modal',
    callback_id: ADMIN_SLA_CALLBACK.businessHours,
    ...(form.keptBefore ? { private_metadata: JSON.stringify({ kept_before: form.keptBefore }) } : {}),
    title: plain('Business hours'),
    submit: plain('Save'),
    close: plain('Cancel'),
    blocks,
  };
}

/** "Sat 5 Dec, 19:30" in the zone. */
export function zonedTime(at: Date, zone: string): string {
  return DateTime.fromJSDate(at, { zone }).setLocale('en-GB').toFormat('ccc d LLL, HH:mm');
}

/** The preview line: when a 4-hour business-hours target raised now is due, or why there is no preview yet. */
export function hoursPreview(result: { due: Date; now: Date; zone: string } | { problem: string }): string {
  if ('problem' in result) return `:hourglass_flowing_sand: *Preview:* ${userText(result.problem, 500)}`;
  return `:hourglass_flowing_sand: *Preview:* a ${PREVIEW_TARGET_MINUTES / 60}-hour business-hours target raised now (${zonedTime(result.now, result.zone)}) is due *${zonedTime(result.due, result.zone)}*, ${escapeMrkdwn(result.zone)} time.`;
}

// ---------------------------------------------------------------------------
// The admin Home: checklist steps and the SLA section

/** "Mon–Fri 09:00–17:00 · Sat 10:00–14:00": consecutive days with the same hours together. */
export function hoursSummary(calendar: BusinessCalendar): string {
  const text = (d: Weekday) => (calendar.hours[d] ?? []).map(([s, e]) => `${s}–${e}`).join(', ');
  const parts: string[] = [];
  let i = 0;
  while (i < WEEKDAYS.length) {
    const day = WEEKDAYS[i]!;
    let j = i;
    while (j + 1 < WEEKDAYS.length && text(WEEKDAYS[j + 1]!) === text(day)) j++;
    if (text(day)) parts.push(`${WEEKDAY_SHORT[day]}${j > i ? `–${WEEKDAY_SHORT[WEEKDAYS[j]!]}` : ''} ${text(day)}`);
    i = j + 1;
  }
  return parts.join(' · ') || 'closed every day';
}

function calendarLine(calendar: BusinessCalendar): string {
  const holidays = calendar.holidays.length === 0 ? 'no holidays' : `${calendar.holidays.length} holiday${calendar.holidays.length === 1 ? '' : 's'}`;
  return `${escapeMrkdwn(calendar.timezone)} · ${hoursSummary(calendar)} · ${holidays}`;
}

const DONE = ':white_check_mark: Done';
const TO_DO = ':white_circle: To do';

/** Checklist steps 2 and 3. */
export function slaChecklist(status: { policies: boolean; policyCount: number; businessHours: boolean }, calendar: BusinessCalendar): KnownBlock[] {
  const policies = status.policies
    ? `${DONE} — ${status.policyCount === 0 ? 'no SLA policies for now' : `${status.policyCount} polic${status.policyCount === 1 ? 'y' : 'ies'}`}`
    : `${TO_DO} — start from a suggested set per priority (editable), or go without targets.`;
  const hours = status.businessHours ? `${DONE} — ${calendarLine(calendar)}` : `${TO_DO} — time zone, hours per weekday and holidays (now: ${calendarLine(calendar)}).`;
  return [
    { ...section(`*2. SLA policies*\n${policies}`), accessory: button(status.policies ? 'New policy' : 'Choose policies', status.policies ? ADMIN_SLA_ACTION.newPolicy : ADMIN_SLA_ACTION.openSuggested, 'open', status.policies ? undefined : 'primary') },
    { ...section(`*3. Business hours*\n${hours}`), accessory: button(status.businessHours ? 'Edit' : 'Set business hours', ADMIN_SLA_ACTION.openBusinessHours, 'open', status.businessHours ? undefined : 'primary') },
  ];
}

/** Policies shown one by one on Home; the rest are reached through a picker. */
export const POLICIES_LISTED = 12;

const TYPE_SHORT: Record<TicketType, string> = { incident: 'Incident', service_request: 'Service req.', change: 'Change', problem: 'Problem' };

/** The type × priority grid: the number of the active policy governing each cell, "–" for none. */
function policyGrid(policies: readonly SlaPolicy[]): string {
  const width = Math.max(...TICKET_TYPES.map((t) => TYPE_SHORT[t].length)) + 2;
  const priorities = [...TICKET_PRIORITIES].reverse();
  const head = ''.padEnd(width) + priorities.map((p) => PRIORITY_LABELS[p].padEnd(8)).join('');
  const rows = TICKET_TYPES.map((t) => {
    const cells = priorities.map((p) => {
      const n = policies.findIndex((x) => x.status === 'active' && x.priority === p && x.appliesTo.includes(t));
      return (n < 0 ? '–' : String(n + 1)).padEnd(8);
    });
    return TYPE_SHORT[t].padEnd(width) + cells.join('');
  });
  return `\`\`\`${[head, ...rows].map((line) => line.trimEnd()).join('\n')}\`\`\``;
}

function policyLine(policy: SlaPolicy, n: number): string {
  const types = policy.appliesTo.length === TICKET_TYPES.length ? 'all types' : policy.appliesTo.map((t) => TYPE_LABELS[t]).join(', ');
  const clock = policy.businessHoursOnly ? 'business hours' : '24x7';
  const next = policy.nextResponseMinutes ? ` · next response ${formatDuration(policy.nextResponseMinutes, policy.businessHoursOnly)}` : '';
  const state = policy.status === 'active' ? '' : ' · _inactive_';
  return (
    `*${n}. ${userText(policy.name, 200)}* — ${PRIORITY_LABELS[policy.priority]}, ${types}${state}\n` +
    `First response ${formatDuration(policy.firstResponseMinutes, policy.businessHoursOnly)} · resolution ${formatDuration(policy.resolutionMinutes, policy.businessHoursOnly)}${next} · ${clock}`
  );
}

function policyMenu(policy: SlaPolicy): types.Overflow {
  const toggle = policy.status === 'active' ? option('Deactivate', `deactivate:${policy.id}`) : option('Activate', `activate:${policy.id}`);
  return { type: 'overflow', action_id: ADMIN_SLA_ACTION.policyMenu, options: [option('Edit…', `edit:${policy.id}`), toggle] };
}

/** Active policies first (most urgent first), then inactive ones: the order Home numbers them in. */
export function orderPolicies(policies: readonly SlaPolicy[]): SlaPolicy[] {
  const rank = (p: SlaPolicy) => (p.status === 'active' ? 0 : 10) + (3 - TICKET_PRIORITIES.indexOf(p.priority));
  return [...policies].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}

/** The admin Home's SLA part: the grid, each policy with its menu, New policy, and the business hours. At most 20 blocks. */
export function slaAdminSection(policies: readonly SlaPolicy[], calendar: BusinessCalendar): KnownBlock[] {
  const ordered = orderPolicies(policies);
  const blocks: KnownBlock[] = [{ type: 'header', text: plain('SLA policies') }];
  if (ordered.length === 0) {
    blocks.push(section('No SLA policies: tickets get no deadlines. Add one to give a type and priority its targets.'));
  } else {
    blocks.push(section(`Which policy governs each ticket type and priority (active policies):\n${policyGrid(ordered)}`));
    ordered.slice(0, POLICIES_LISTED).forEach((policy, i) => blocks.push({ ...section(policyLine(policy, i + 1)), accessory: policyMenu(policy) }));
  }
  const rest = ordered.slice(POLICIES_LISTED);
  const controls: types.ActionsBlock['elements'] = [button('New policy', ADMIN_SLA_ACTION.newPolicy, 'new')];
  if (rest.length > 0) {
    blocks.push(context(`${rest.length} more polic${rest.length === 1 ? 'y' : 'ies'}: pick one to edit.`));
    controls.push({
      type: 'static_select',
      action_id: ADMIN_SLA_ACTION.pickPolicy,
      placeholder: plain('Edit another policy…'),
      options: rest.slice(0, SLACK_LIMITS.selectOptions).map((p, i) => option(`${POLICIES_LISTED + i + 1}. ${p.name}`, p.id)),
    });
  }
  blocks.push(actions(controls));
  blocks.push(
    { type: 'header', text: plain('Business hours') },
    { ...section(`Business-hours policies count only this time:\n${calendarLine(calendar)}`), accessory: button('Edit', ADMIN_SLA_ACTION.openBusinessHours, 'open') },
  );
  return blocks;
}
