import { getPeople } from '../../../domain/people.js';
import { ForbiddenError } from '../../../domain/errors.js';
import { acknowledgeSlaAlert } from '../../../domain/sla/alerts.js';
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
      const { scope } = await actingAs(deps, tenantId, body.user);
      // Only who may act on the alert's ticket may acknowledge it: decided by the domain.
      const result = await acknowledgeSlaAlert(db, scope, alertId, { checkPermission: true });
      const { alert } = result;
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
      if (error instanceof ForbiddenError) await respond(ephemeral(errorMessage(error.message))).catch(() => {});
      else await tell(deps, respond, error, 'acknowledge this alert', tenantId);
    }
  };
}
