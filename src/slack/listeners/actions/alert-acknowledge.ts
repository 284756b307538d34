import { getPeople } from '../../../domain/people.js';
import { acknowledgeSlaAlert, getSlaAlert } from '../../../domain/sla/alerts.js';
import { mayActOnTicket } from '../../../domain/tickets/permissions.js';
import { getTicket } from '../../../domain/tickets/queries.js';
import { slaAcknowledgedLine } from '../../blocks/alerts.js';
import { errorMessage } from '../../blocks/card.js';
import { actingAs, ephemeral, tell, tenantOf, type ListenerDeps } from '../shared.js';
import type { ActionArgs } from './ticket-buttons.js';

/** Acknowledge on an SLA alert (its value is the alert's id): recorded once, said in the alert's thread. */
export function handleAlertAcknowledge(deps: ListenerDeps) {
  const { db } = deps;
  return async ({ ack, body, action, context, respond, client }: ActionArgs): Promise<void> => {
    await ack();
    const alertId = 'value' in action ? action.value : undefined;
    if (!alertId) return;
    let tenantId: string | undefined;
    try {
      tenantId = tenantOf(context);
      const { scope, person } = await actingAs(deps, tenantId, body.user);
      const alert = await getSlaAlert(db, tenantId, alertId);
      const ticket = await getTicket(db, scope, alert.ticketId, { includeDeleted: true });
      const permitted = await mayActOnTicket(db, ticket, person.id, 'acknowledge');
      if (!permitted.allowed) {
        await respond(ephemeral(errorMessage(permitted.reason)));
        return;
      }
      const result = await acknowledgeSlaAlert(db, scope, alertId);
      if (!result.acknowledged) {
        const [earlier] = result.acknowledgedBy ? await getPeople(db, tenantId, [result.acknowledgedBy]) : [];
        const who = earlier?.slackUserId ? ` by <@${earlier.slackUserId}>` : '';
        await respond(ephemeral(errorMessage(`Already acknowledged${who}.`, { mrkdwn: true })));
        return;
      }
      const channel = alert.channelId ?? body.channel?.id;
      const thread = alert.slackMessageTs ?? body.message?.ts;
      if (channel && thread) {
        await client.chat.postMessage({
          channel,
          thread_ts: thread,
          ...slaAcknowledgedLine({ actorSlackId: body.user.id, kind: alert.kind, cancelledEscalations: result.cancelledEscalations }),
        });
      }
    } catch (error) {
      await tell(deps, respond, error, 'acknowledge this alert', tenantId);
    }
  };
}
