import { describe, expect, it } from 'vitest';
import { TICKET_PRIORITIES, TICKET_TYPES } from '../../../src/db/schema/enums.js';
import { DEFAULT_BUSINESS_CALENDAR, type BusinessCalendar } from '../../../src/domain/sla/calendar.js';
import type { SlaPolicy } from '../../../src/domain/sla/policies.js';
import { SUGGESTED_SLA_POLICIES } from '../../../src/domain/sla/setup.js';
import {
  businessHoursModal,
  calendarOfForm,
  formOfCalendar,
  hoursPreview,
  hoursSummary,
  policyModal,
  POLICIES_LISTED,
  readPolicyMetadata,
  slaAdminSection,
  slaChecklist,
  suggestedPoliciesModal,
  timezoneOptionGroups,
  WEEKDAYS,
} from '../../../src/slack/blocks/admin-sla.js';
import { ADMIN_SLA_ACTION } from '../../../src/slack/ids.js';
import { checkView } from '../../support/block-kit.js';

function policy(n: number, extra: Partial<SlaPolicy> = {}): SlaPolicy {
  return {
    tenantId: 'T1',
    id: `sla_${String(n).padStart(26, '0')}`,
    appId: null,
    createdAt: new Date('2026-01-01T00:00:00Z'),
    updatedAt: new Date('2026-01-01T00:00:00Z'),
    createdBy: null,
    updatedBy: null,
    source: 'edm',
    sourceType: 'api',
    name: `Policy ${n}`,
    description: null,
    appliesTo: ['incident'],
    priority: TICKET_PRIORITIES[n % 4]!,
    firstResponseMinutes: 30,
    resolutionMinutes: 240,
    nextResponseMinutes: null,
    businessHoursOnly: false,
    status: 'inactive',
    revision: 1,
    isDeleted: false,
    deletedAt: null,
    deletedBy: null,
    ...extra,
  } as SlaPolicy;
}

const home = (blocks: unknown[]) => checkView({ type: 'home', blocks });

describe('admin SLA blocks', () => {
  it('builds modals Slack accepts: the suggested set, a new and an edited policy, the business hours', () => {
    const busy: BusinessCalendar = {
      timezone: 'America/Argentina/Buenos_Aires',
      hours: Object.fromEntries(WEEKDAYS.map((d) => [d, [['08:00', '12:00'], ['13:00', '17:00'], ['18:00', '24:00']]])),
      holidays: Array.from({ length: 400 }, (_, i) => `2030-01-${String((i % 28) + 1).padStart(2, '0')}`),
    };
    for (const view of [
      suggestedPoliciesModal(SUGGESTED_SLA_POLICIES),
      policyModal(),
      policyModal(policy(1, { name: 'x'.repeat(200), nextResponseMinutes: 60, businessHoursOnly: true, status: 'active' })),
      businessHoursModal(formOfCalendar(DEFAULT_BUSINESS_CALENDAR), hoursPreview({ problem: 'none yet' })),
      businessHoursModal(formOfCalendar(busy), hoursPreview({ due: new Date(), now: new Date(), zone: busy.timezone })),
    ]) {
      expect(checkView(view)).toBeUndefined();
      expect(view.blocks.length).toBeLessThanOrEqual(100);
    }
  });

  it('offers every IANA zone in groups Slack allows, the stored zone preselected even when it is an alias', () => {
    const groups = timezoneOptionGroups('US/Eastern');
    const zones = groups.flatMap((g) => g.options.map((o) => o.value));
    expect(groups.length).toBeLessThanOrEqual(100);
    expect(groups.every((g) => g.options.length <= 100 && g.label.text.length <= 75)).toBe(true);
    expect(zones).toEqual(expect.arrayContaining(['Europe/Berlin', 'America/New_York', 'Pacific/Auckland', 'UTC', 'US/Eastern']));
    expect(zones.length).toBeGreaterThan(400);
    expect(new Set(zones).size).toBe(zones.length);
    // America has more than 100 zones: split in two groups.
    expect(groups.filter((g) => g.label.text.startsWith('America')).length).toBe(2);
    const modal = businessHoursModal({ ...formOfCalendar(DEFAULT_BUSINESS_CALENDAR), timezone: 'US/Eastern' }, 'preview');
    expect(JSON.stringify(modal.blocks[0])).toContain('"initial_option":{"text":{"type":"plain_text","text":"US/Eastern"');
  });

  it('reads the hours as typed into the calendar the settings API takes, leaving wrong text for the domain to name', () => {
    const form = formOfCalendar(DEFAULT_BUSINESS_CALENDAR);
    expect(form.days.mon).toBe('09:00-17:00');
    expect(form.days.sat).toBe('');
    const calendar = calendarOfForm({
      timezone: 'Europe/Berlin',
      days: { mon: '9:00-12:00, 13:00 – 17:30', tue: 'closed', wed: '08:00-24:00;', thu: '9am-5pm', fri: '10:00', sat: '', sun: '  ' },
      holidays: '2026-12-25 Christmas Day\n\n  2026-12-26\nnot a date',
    });
    expect(calendar).toEqual({
      timezone: 'Europe/Berlin',
      hours: { mon: [['09:00', '12:00'], ['13:00', '17:30']], wed: [['08:00', '24:00']], thu: [['9am', '5pm']], fri: [['10:00', '']] },
      holidays: ['2026-12-25', '2026-12-26', 'not'],
    });
  });

  it('shows the newest holidays that fit the input and marks the older ones as kept', () => {
    const dates = Array.from({ length: 400 }, (_, i) => new Date(Date.UTC(2025, 0, 1 + i * 3)).toISOString().slice(0, 10));
    const form = formOfCalendar({ ...DEFAULT_BUSINESS_CALENDAR, holidays: [...dates].reverse() });
    expect(form.holidays.length).toBeLessThanOrEqual(3000);
    expect(form.holidays.split('\n').at(-1)).toBe(dates.at(-1));
    expect(form.keptBefore).toBe(form.holidays.split('\n')[0]);
    const modal = businessHoursModal(form, 'preview');
    expect(checkView(modal)).toBeUndefined();
    expect(JSON.parse(modal.private_metadata!)).toEqual({ kept_before: form.keptBefore });
    expect(formOfCalendar(DEFAULT_BUSINESS_CALENDAR).keptBefore).toBeUndefined();
  });

  it('summarises the hours with consecutive equal days together', () => {
    expect(hoursSummary(DEFAULT_BUSINESS_CALENDAR)).toBe('Mon–Fri 09:00–17:00');
    const split: BusinessCalendar = { timezone: 'UTC', holidays: [], hours: { mon: [['09:00', '12:00'], ['13:00', '17:00']], tue: [['09:00', '12:00'], ['13:00', '17:00']], thu: [['10:00', '14:00']] } };
    expect(hoursSummary(split)).toBe('Mon–Tue 09:00–12:00, 13:00–17:00 · Thu 10:00–14:00');
  });

  it('shows the policies as a type × priority grid of the active ones, each with its menu, within 20 blocks', () => {
    const policies = [
      policy(1, { name: 'Urgent <!channel> & co', priority: 'urgent', appliesTo: [...TICKET_TYPES], status: 'active' }),
      policy(2, { name: 'High incidents', priority: 'high', appliesTo: ['incident'], status: 'active', businessHoursOnly: true, resolutionMinutes: 72 * 60 }),
      policy(3, { name: 'Old high', priority: 'high', appliesTo: ['incident', 'change'], status: 'inactive' }),
    ];
    const blocks = slaAdminSection(policies, DEFAULT_BUSINESS_CALENDAR);
    expect(home(blocks)).toBeUndefined();
    const text = JSON.stringify(blocks);
    // User text is escaped: the name cannot ping a channel.
    expect(text).toContain('Urgent &lt;!channel&gt; &amp; co');
    expect(text).not.toContain('<!channel>');
    const grid = (blocks[1] as { text: { text: string } }).text.text;
    const rows = grid.split('\n');
    expect(rows.find((r) => r.startsWith('Incident'))).toMatch(/^Incident\s+1\s+2\s+–\s+–$/);
    expect(rows.find((r) => r.startsWith('Change'))).toMatch(/^Change\s+1\s+–\s+–\s+–$/);
    expect(text).toContain('_inactive_');
    expect(text).toContain('resolution 72h');
    expect(text).toContain('"value":"deactivate:sla_00000000000000000000000001"');
    expect(text).toContain('"value":"activate:sla_00000000000000000000000003"');
    expect(text).toContain(ADMIN_SLA_ACTION.newPolicy);
    expect(text).toContain(ADMIN_SLA_ACTION.openBusinessHours);

    const many = Array.from({ length: 150 }, (_, i) => policy(i + 1));
    const crowded = slaAdminSection(many, DEFAULT_BUSINESS_CALENDAR);
    expect(crowded.length).toBeLessThanOrEqual(20);
    expect(home(crowded)).toBeUndefined();
    expect(JSON.stringify(crowded)).toContain(ADMIN_SLA_ACTION.pickPolicy);
    expect(crowded.filter((b) => b.type === 'section' && 'accessory' in b && b.accessory?.type === 'overflow')).toHaveLength(POLICIES_LISTED);
    expect(home(slaAdminSection([], DEFAULT_BUSINESS_CALENDAR))).toBeUndefined();
  });

  it('shows checklist steps 2 and 3 as done or to do, each with its button, in at most 8 blocks', () => {
    const todo = slaChecklist({ policies: false, policyCount: 0, businessHours: false }, DEFAULT_BUSINESS_CALENDAR);
    const done = slaChecklist({ policies: true, policyCount: 0, businessHours: true }, { ...DEFAULT_BUSINESS_CALENDAR, timezone: 'Europe/Paris' });
    for (const blocks of [todo, done]) {
      expect(blocks.length).toBeLessThanOrEqual(8);
      expect(home(blocks)).toBeUndefined();
    }
    expect(JSON.stringify(todo)).toContain(ADMIN_SLA_ACTION.openSuggested);
    expect(JSON.stringify(todo).match(/To do/g)).toHaveLength(2);
    expect(JSON.stringify(done).match(/Done/g)).toHaveLength(2);
    expect(JSON.stringify(done)).toContain('no SLA policies for now');
    expect(JSON.stringify(done)).toContain('Europe/Paris · Mon–Fri 09:00–17:00');
  });

  it('reads back only the metadata it wrote', () => {
    expect(readPolicyMetadata(policyModal(policy(7)).private_metadata)).toEqual({ id: policy(7).id, revision: 1 });
    expect(readPolicyMetadata(policyModal().private_metadata)).toEqual({});
    expect(readPolicyMetadata('{"id": 5}')).toBe('malformed');
    expect(readPolicyMetadata('nope')).toBe('malformed');
    expect(readPolicyMetadata('[1]')).toBe('malformed');
  });
});
