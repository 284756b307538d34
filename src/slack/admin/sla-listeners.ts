import type { AllMiddlewareArgs, App, Context, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { isDatabaseUnavailable, rootCause } from '../../db/errors.js';
import { ConflictError, DomainError, ForbiddenError, NotFoundError, PreconditionFailedError, ValidationError, type FieldIssue } from '../../domain/errors.js';
import { IdempotencyInProgressError, runIdempotently } from '../../domain/idempotency.js';
import { addBusinessMinutes, parseBusinessCalendar } from '../../domain/sla/calendar.js';
import { createSlaPolicy, deactivateSlaPolicy, getSlaPolicy, updateSlaPolicy } from '../../domain/sla/policies.js';
import { createSlaPolicies, saveBusinessHours, skipSlaPolicies, SUGGESTED_SLA_POLICIES } from '../../domain/sla/setup.js';
import type { Scope } from '../../domain/scope.js';
import { tenantTicketSettings } from '../../domain/tenants.js';
import {
  businessHoursModal,
  calendarOfForm,
  formOfCalendar,
  HOURS_BLOCK,
  HOURS_ERROR_BLOCKS,
  hoursPreview,
  noticeModal,
  POLICY_BLOCK,
  POLICY_ERROR_BLOCKS,
  policyModal,
  PREVIEW_TARGET_MINUTES,
  readHoursForm,
  readPolicyMetadata,
  readPolicyModal,
  readSuggestedPolicies,
  SUGGESTED_BLOCK,
  suggestedErrorBlocks,
  suggestedPoliciesModal,
  type HoursForm,
} from '../blocks/admin-sla.js';
import { modalFieldErrors } from '../blocks/field-errors.js';
import { escapeMrkdwn } from '../blocks/text.js';
import { ADMIN_SLA_ACTION, ADMIN_SLA_CALLBACK } from '../ids.js';
import type { ActionArgs } from '../listeners/actions/ticket-buttons.js';
import type { ListenerDeps } from '../listeners/shared.js';
import { actingAsAdmin } from './guard.js';

type Admin = Awaited<ReturnType<typeof actingAsAdmin>>;
type ViewArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

/** Admin buttons for SLA policies and business hours, by action id. */
export function adminSlaActionHandlers(deps: ListenerDeps): Record<string, (args: ActionArgs) => Promise<void>> {
  return {
    [ADMIN_SLA_ACTION.openSuggested]: adminAction(deps, 'open the suggested policies', async (_admin, args) => {
      await openOrPush(args, suggestedPoliciesModal(SUGGESTED_SLA_POLICIES));
    }),
    [ADMIN_SLA_ACTION.skipPolicies]: adminAction(deps, 'record "no SLA policies"', async (admin, args) => {
      await skipSlaPolicies(deps.db, admin.scope);
      deps.refreshHome?.(admin.tenantId, [admin.personId]);
      const view = args.body.view;
      if (view?.type === 'modal') {
        await args.client.views.update({
          view_id: view.id,
          hash: view.hash,
          view: noticeModal('SLA policies', 'Noted: *no SLA policies* for now, so tickets get no deadlines. Add a policy from Home whenever you are ready.'),
        });
      }
    }),
    [ADMIN_SLA_ACTION.newPolicy]: adminAction(deps, 'open a new policy', async (_admin, args) => {
      await openOrPush(args, policyModal());
    }),
    [ADMIN_SLA_ACTION.policyMenu]: adminAction(deps, 'change this policy', async (admin, args) => {
      const chosen = args.action.type === 'overflow' ? args.action.selected_option.value : '';
      const [verb, id = ''] = chosen.split(/:(.*)/s);
      if (verb === 'edit') await openOrPush(args, policyModal(await getSlaPolicy(deps.db, admin.scope, id)));
      else if (verb === 'deactivate') await deactivateSlaPolicy(deps.db, admin.scope, id);
      else if (verb === 'activate') await updateSlaPolicy(deps.db, admin.scope, id, { status: 'active' });
      else return;
      if (verb !== 'edit') deps.refreshHome?.(admin.tenantId, [admin.personId]);
    }),
    [ADMIN_SLA_ACTION.pickPolicy]: adminAction(deps, 'open this policy', async (admin, args) => {
      const id = args.action.type === 'static_select' ? args.action.selected_option.value : '';
      await openOrPush(args, policyModal(await getSlaPolicy(deps.db, admin.scope, id)));
    }),
    [ADMIN_SLA_ACTION.openBusinessHours]: adminAction(deps, 'open the business hours', async (admin, args) => {
      const { businessCalendar } = await tenantTicketSettings(deps.db, admin.tenantId);
      const form = formOfCalendar(businessCalendar);
      await openOrPush(args, businessHoursModal(form, previewOf(form, deps.now())));
    }),
    [ADMIN_SLA_ACTION.hoursInput]: adminAction(deps, 'update the preview', async (_admin, args) => {
      const view = args.body.view;
      if (view?.callback_id !== ADMIN_SLA_CALLBACK.businessHours) return;
      const form = readHoursForm(view);
      try {
        // The hash: an update based on an older state of the view is refused, not applied over a newer one.
        await args.client.views.update({ view_id: view.id, hash: view.hash, view: businessHoursModal(form, previewOf(form, deps.now())) });
      } catch (error) {
        // The admin typed on meanwhile: that keystroke's own action redraws the preview.
        if (slackErrorCode(error) === 'hash_conflict') return;
        throw error;
      }
    }),
  };
}

/** The admin modals for SLA policies and business hours; returns their callback ids. */
export function registerAdminSlaViews(app: App, deps: ListenerDeps): string[] {
  app.view(ADMIN_SLA_CALLBACK.suggestedPolicies, adminSubmission(deps, SUGGESTED_BLOCK.first(SUGGESTED_SLA_POLICIES[0]!.priority), handleSuggestedSubmitted(deps)));
  app.view(ADMIN_SLA_CALLBACK.policy, adminSubmission(deps, POLICY_BLOCK.name, handlePolicySubmitted(deps)));
  app.view(ADMIN_SLA_CALLBACK.businessHours, adminSubmission(deps, HOURS_BLOCK.timezone, handleHoursSubmitted(deps)));
  return Object.values(ADMIN_SLA_CALLBACK);
}

// ---------------------------------------------------------------------------
// Actions

/**
 * An admin button: ack, then the admin check (server-side, every time), then the work. What
 * goes wrong, a refusal included, is shown in a small modal over wherever the click came from
 * (a Home tab has no response_url to answer on).
 */
function adminAction(deps: ListenerDeps, doing: string, run: (admin: Admin, args: ActionArgs) => Promise<void>) {
  return async (args: ActionArgs): Promise<void> => {
    await args.ack();
    try {
      const admin = await actingAsAdmin(deps, args.context as Context, args.body.user);
      await run(admin, args);
    } catch (error) {
      await openOrPush(args, noticeModal(error instanceof ForbiddenError ? 'Admins only' : 'Could not do that', escapeMrkdwn(problemText(deps, error, doing)))).catch(
        (noticeError: unknown) => deps.log.warn(`slack: could not tell an admin why they could not ${doing}`, { error: String(noticeError) }),
      );
    }
  };
}

/** Opens a modal from a click on Home or a message, or pushes it over the modal the click came from. */
async function openOrPush(args: ActionArgs, view: ReturnType<typeof noticeModal>): Promise<void> {
  const triggerId = args.body.trigger_id;
  if (args.body.view?.type === 'modal') await args.client.views.push({ trigger_id: triggerId, view });
  else await args.client.views.open({ trigger_id: triggerId, view });
}

function problemText(deps: ListenerDeps, error: unknown, doing: string): string {
  if (error instanceof DomainError) return error instanceof ForbiddenError ? error.message : `Could not ${doing}: ${error.message}`;
  if (isDatabaseUnavailable(error)) {
    deps.log.warn(`slack: could not ${doing}, the database is unavailable (${rootCause(error)})`);
    return `Could not ${doing}: the helpdesk cannot reach its database right now. Please try again in a moment.`;
  }
  deps.log.error(`slack: could not ${doing}`, { error: error instanceof Error ? error.stack : String(error) });
  return `Could not ${doing}: something went wrong on our side. Please try again.`;
}

function slackErrorCode(error: unknown): string | undefined {
  const code = (error as { data?: { error?: unknown } } | null)?.data?.error;
  return typeof code === 'string' ? code : undefined;
}

/** The preview line for the form as it stands: the domain's own validation decides if there is one. */
function previewOf(form: HoursForm, now: Date): string {
  try {
    const calendar = parseBusinessCalendar(calendarOfForm(form));
    return hoursPreview({ due: addBusinessMinutes(now, PREVIEW_TARGET_MINUTES, calendar), now, zone: calendar.timezone });
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return hoursPreview({ problem: `none yet, ${error.issues[0]?.message ?? 'the hours are incomplete'}.` });
  }
}

// ---------------------------------------------------------------------------
// Submissions

/**
 * An admin modal submitted: the admin check first (a refusal shows in the form and changes
 * nothing), then the handler, which writes before it acks. `firstBlock` is an input block
 * where messages of no particular field show.
 */
function adminSubmission(deps: ListenerDeps, firstBlock: string, handle: (admin: Admin, args: ViewArgs) => Promise<Record<string, string> | undefined>) {
  return async (args: ViewArgs): Promise<void> => {
    let errors: Record<string, string> | undefined;
    let admin: Admin | undefined;
    try {
      admin = await actingAsAdmin(deps, args.context as Context, args.body.user);
      errors = await handle(admin, args);
    } catch (error) {
      if (error instanceof IdempotencyInProgressError) return args.ack();
      errors = { [firstBlock]: submissionProblem(deps, error) };
    }
    if (errors) return args.ack({ response_action: 'errors', errors });
    await args.ack();
    deps.refreshHome?.(admin!.tenantId, [admin!.personId]);
  };
}

function submissionProblem(deps: ListenerDeps, error: unknown): string {
  if (error instanceof DomainError) return error.message;
  if (isDatabaseUnavailable(error)) {
    deps.log.warn(`slack: an admin change was not saved, the database is unavailable (${rootCause(error)})`);
    return 'The helpdesk cannot reach its database right now; nothing was saved. Please try again in a moment.';
  }
  deps.log.error('slack: an admin change failed', { error: error instanceof Error ? error.stack : String(error) });
  return "Couldn't save this, please try again.";
}

/** The suggested set: the ticked rows created all or nothing; a redelivered submission creates nothing more. */
function handleSuggestedSubmitted(deps: ListenerDeps) {
  return async (admin: Admin, { body, view }: ViewArgs): Promise<Record<string, string> | undefined> => {
    const { inputs, rows } = readSuggestedPolicies(view.state.values, SUGGESTED_SLA_POLICIES);
    if (inputs.length === 0) {
      return { [SUGGESTED_BLOCK.options(SUGGESTED_SLA_POLICIES[0]!.priority)]: 'Tick "Create" on at least one row, or choose "No SLA policies" below.' };
    }
    try {
      await once(deps, admin.scope, body.user.id, view.id, inputs, async () => ({ status: 201, body: { ids: (await createSlaPolicies(deps.db, admin.scope, inputs)).map((p) => p.id) } }));
      return undefined;
    } catch (error) {
      if (error instanceof ValidationError) return modalFieldErrors(error, suggestedErrorBlocks(rows), SUGGESTED_BLOCK.options(rows[0]!));
      throw error;
    }
  };
}

/** A new policy, or an edit of one at the revision the modal was opened on. */
function handlePolicySubmitted(deps: ListenerDeps) {
  return async (admin: Admin, { body, view }: ViewArgs): Promise<Record<string, string> | undefined> => {
    const metadata = readPolicyMetadata(view.private_metadata);
    if (metadata === 'malformed') {
      deps.log.warn('slack: a policy modal came back with private_metadata the app did not write; refused');
      return { [POLICY_BLOCK.name]: 'This form is damaged; close it and open the policy again from Home.' };
    }
    const input = readPolicyModal(view.state.values);
    try {
      if (metadata.id) {
        await updateSlaPolicy(deps.db, admin.scope, metadata.id, input, { expectedRevision: metadata.revision });
      } else {
        const create = { ...input, source: 'slack', source_type: 'frontend' };
        await once(deps, admin.scope, body.user.id, view.id, create, async () => ({ status: 201, body: { id: (await createSlaPolicy(deps.db, admin.scope, create)).id } }));
      }
      return undefined;
    } catch (error) {
      if (error instanceof ValidationError) return modalFieldErrors(error, POLICY_ERROR_BLOCKS, POLICY_BLOCK.name);
      if (error instanceof ConflictError) return { [POLICY_BLOCK.priority]: error.message };
      if (error instanceof PreconditionFailedError) {
        return { [POLICY_BLOCK.name]: 'Someone changed this policy since you opened it; nothing was saved. Close this form and open the policy again to see their change.' };
      }
      if (error instanceof NotFoundError) return { [POLICY_BLOCK.name]: 'This policy no longer exists; nothing was saved.' };
      throw error;
    }
  };
}

/** Business hours: the form as the settings API's `business_calendar`, validated and saved by the domain. */
function handleHoursSubmitted(deps: ListenerDeps) {
  return async (admin: Admin, { view }: ViewArgs): Promise<Record<string, string> | undefined> => {
    const form = readHoursForm(view);
    const calendar = calendarOfForm(form);
    if (form.keptBefore) {
      // The older holidays the form could not show stay as stored.
      const { businessCalendar } = await tenantTicketSettings(deps.db, admin.tenantId);
      calendar.holidays = [...businessCalendar.holidays.filter((d) => d < form.keptBefore!), ...calendar.holidays];
    }
    try {
      await saveBusinessHours(deps.db, admin.scope, calendar);
      return undefined;
    } catch (error) {
      if (error instanceof ValidationError) return modalFieldErrors(new ValidationError(error.issues.map((i) => sayWhich(i, calendar))), HOURS_ERROR_BLOCKS, HOURS_BLOCK.day('mon'));
      throw error;
    }
  };
}

/** An issue about one interval or holiday names it as typed, since the whole day or list shares one field. */
function sayWhich(issue: FieldIssue, calendar: ReturnType<typeof calendarOfForm>): FieldIssue {
  const [root, part, day, index] = issue.path;
  if (root !== 'business_calendar') return issue;
  if (part === 'hours' && typeof day === 'string' && typeof index === 'number') {
    const interval = calendar.hours[day]?.[index];
    if (interval) return { ...issue, message: `"${interval.filter(Boolean).join('-')}": ${issue.message}` };
  }
  if (part === 'holidays' && typeof day === 'number') {
    const holiday = calendar.holidays[day];
    if (holiday !== undefined) return { ...issue, message: `"${holiday}": ${issue.message}` };
  }
  return issue;
}

/** Runs a create once per submitted view: Slack may deliver the same submission twice. */
async function once(deps: ListenerDeps, scope: Scope, slackUserId: string, viewId: string, input: unknown, execute: () => Promise<{ status: number; body: unknown }>) {
  await runIdempotently(deps.db, { tenantId: scope.tenantId, caller: `slack:${slackUserId}`, key: `view:${viewId}`, fingerprint: JSON.stringify(input), now: scope.now }, execute);
}


