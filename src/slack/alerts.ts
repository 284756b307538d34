import type { webApi } from '@slack/bolt';
import type { Db } from '../db/client.js';
import { getPeople } from '../domain/people.js';
import { SlaDeliveryError, type DeliverableAlert, type SlaAlertSender } from '../domain/sla/delivery.js';
import { getTeam } from '../domain/teams.js';
import { tenantTicketSettings } from '../domain/tenants.js';
import type { Logger } from '../log.js';
import { slaAlertMessage, slaDigestMessage, type SlaAlertView } from './blocks/alerts.js';
import type { SlackNotifier } from './notifier.js';
import { createPermalinks, type Permalinks } from './permalinks.js';

/** Metadata on every alert message: which ledger rows it carries (auditing, and tests). */
export const SLA_ALERT_EVENT_TYPE = 'helpdesk_sla_alert';

/**
 * Posts SLA alerts for the delivery job. The client given here must not retry by itself
 * (`retryConfig: { retries: 0 }`, `rejectRateLimitedCalls: true`): the ledger does the
 * retrying, so a failure comes back at once with Slack's `Retry-After` when there is one.
 */
export function createSlackAlertSender(deps: {
  db: Db;
  client: webApi.WebClient;
  log: Logger;
  notifier?: SlackNotifier;
  permalinks?: Permalinks;
  /** The agents of these teams see a new alert's ticket in their Home's "At risk and breached". */
  refreshTeamHomes?: (tenantId: string, teamIds: string[]) => void;
}): SlaAlertSender {
  const { db, client, log } = deps;
  const links = deps.permalinks ?? createPermalinks(client, log);

  const permalink = async (ticket: DeliverableAlert['ticket']): Promise<string | undefined> => {
    if (!ticket.slackChannelId || !ticket.slackMessageTs) return undefined;
    // Without a link the alert still goes out.
    return links(ticket.slackChannelId, ticket.slackMessageTs).catch(() => undefined);
  };

  /** Slack ids of assignees and of the escalation contacts of each alert's team. */
  const render = async (alerts: DeliverableAlert[]): Promise<SlaAlertView[]> => {
    const tenantId = alerts[0]!.alert.tenantId;
    const defaultTeamId = (await tenantTicketSettings(db, tenantId)).defaultTeamId;
    const teamIds = [...new Set(alerts.map((a) => a.ticket.teamId ?? defaultTeamId).filter((id): id is string => Boolean(id)))];
    const teams = new Map(
      await Promise.all(teamIds.map(async (id) => [id, await getTeam(db, tenantId, id).catch(() => null)] as const)),
    );
    const contactsOf = (a: DeliverableAlert) => teams.get(a.ticket.teamId ?? defaultTeamId ?? '')?.escalationContactIds ?? [];
    const personIds = new Set(alerts.flatMap((a) => [...(a.ticket.assignedToId ? [a.ticket.assignedToId] : []), ...contactsOf(a)]));
    const people = await getPeople(db, tenantId, [...personIds]);
    const slackId = (id: string) => people.find((p) => p.id === id)?.slackUserId ?? null;
    const links = await Promise.all(alerts.map((a) => permalink(a.ticket)));
    return alerts.map((a, index) => ({
      alertId: a.alert.id,
      kind: a.alert.kind,
      clock: a.alert.clock,
      sequence: a.alert.sequence,
      escalationMax: a.escalationMax,
      ticket: a.ticket,
      assigneeSlackId: a.ticket.assignedToId ? slackId(a.ticket.assignedToId) : null,
      minutes: a.minutes,
      businessTime: a.businessTime,
      deadlineAt: a.alert.deadlineAt,
      escalationContactSlackIds: contactsOf(a).map(slackId).filter((id): id is string => Boolean(id)),
      cardPermalink: links[index],
    }));
  };

  return {
    async send(channelId, alerts) {
      const views = await render(alerts);
      const message = views.length === 1 ? slaAlertMessage(views[0]!) : slaDigestMessage(views);
      try {
        const answer = await client.chat.postMessage({
          channel: channelId,
          ...message,
          unfurl_links: false,
          metadata: { event_type: SLA_ALERT_EVENT_TYPE, event_payload: { alert_ids: alerts.map((a) => a.alert.id).join(',') } },
        });
        if (!answer.ts) throw new Error('chat.postMessage answered without a message ts');
        return { ts: answer.ts };
      } catch (error) {
        throw deliveryError(error);
      }
    },
    delivered(alerts) {
      // The card shows the breach from now on.
      for (const a of alerts) if (a.alert.kind === 'breach') deps.notifier?.refreshCard(a.alert.tenantId, a.ticket.id);
      const teamIds = [...new Set(alerts.map((a) => a.ticket.teamId).filter((id): id is string => Boolean(id)))];
      if (alerts[0] && teamIds.length > 0) deps.refreshTeamHomes?.(alerts[0].alert.tenantId, teamIds);
      log.debug('sla: alerts delivered', { alerts: alerts.map((a) => a.alert.id) });
    },
  };
}

/** Slack's answer as a delivery error: `Retry-After` kept from a 429. */
function deliveryError(error: unknown): SlaDeliveryError {
  const coded = error as { code?: string; retryAfter?: number; message?: string };
  if (coded?.code === 'slack_webapi_rate_limited_error' && typeof coded.retryAfter === 'number') {
    return new SlaDeliveryError(`rate limited by Slack (Retry-After: ${coded.retryAfter} s)`, coded.retryAfter * 1000);
  }
  return new SlaDeliveryError(error instanceof Error ? error.message : String(error));
}
