/** SLA alerts in a team's channel: one alert, a digest of several, and the acknowledged line. */
import { SLA_DIGEST_MAX } from '../../domain/sla/delivery.js';
import { ACTION } from '../ids.js';
import { actions, button, context, fieldsSection, linkButton, section, type Button, type KnownBlock, type SlackMessage } from './elements.js';
import { API_ACTOR, fitMrkdwn, formatDuration, link, mention, slackDate, ticketLine, TITLE_MAX, userText, type TicketView } from './text.js';

export type SlaAlertKindView = 'warning' | 'breach' | 'escalation';
export type SlaClockView = 'first_response' | 'resolution' | 'next_response';

export interface SlaAlertView {
  alertId: string;
  kind: SlaAlertKindView;
  clock: SlaClockView;
  /** 1, 2, … for escalations. */
  sequence: number;
  escalationMax: number;
  ticket: Pick<TicketView, 'id' | 'number' | 'title' | 'assignedToId'>;
  assigneeSlackId: string | null;
  /** Breach and escalation: minutes late; warning: minutes left. */
  minutes: number;
  /** The minutes count business hours only. */
  businessTime: boolean;
  deadlineAt: Date;
  /** Escalations mention the team's escalation contacts. */
  escalationContactSlackIds: string[];
  /** Link to the ticket's card, when it has one. */
  cardPermalink?: string | undefined;
}

/**
 * Block text a digest stays under: well below the ~12,000 characters past which Slack refuses
 * a message (`msg_blocks_too_long`). Delivery sends at most SLA_DIGEST_MAX alerts a digest,
 * so each alert's line gets an equal share.
 */
export const SLA_DIGEST_TEXT_BUDGET = 9_000;
const DIGEST_FRAME = 300; // the header, the footer and the buttons' labels
const DIGEST_LINE_MAX = Math.floor((SLA_DIGEST_TEXT_BUDGET - DIGEST_FRAME) / SLA_DIGEST_MAX);
/** Escalation contacts a digest line names before "+N more" (the single alert names them all). */
const DIGEST_CC_MAX = 3;

const CLOCK_LABELS: Record<SlaClockView, string> = {
  first_response: 'first response',
  resolution: 'resolution',
  next_response: 'next response',
};

/** "first response breached" / "resolution at risk": the words the notification text carries. */
function alertState(alert: Pick<SlaAlertView, 'kind' | 'clock'>): string {
  return `${CLOCK_LABELS[alert.clock]} ${alert.kind === 'warning' ? 'at risk' : 'breached'}`;
}

/** "2h 15m late (business hours)" / "45m left". */
function alertTiming(alert: Pick<SlaAlertView, 'kind' | 'minutes' | 'businessTime'>): string {
  const amount = formatDuration(alert.minutes, alert.businessTime);
  const when = alert.kind === 'warning' ? `${amount} left` : `${amount} late`;
  return alert.businessTime ? `${when} (business hours)` : when;
}

function alertEmoji(kind: SlaAlertKindView): string {
  return kind === 'warning' ? ':warning:' : ':rotating_light:';
}

function escalationLabel(alert: Pick<SlaAlertView, 'kind' | 'sequence' | 'escalationMax'>): string {
  return alert.kind === 'escalation' ? `Escalation ${alert.sequence} of ${Math.max(alert.sequence, alert.escalationMax)}: ` : '';
}

function alertAssignee(alert: SlaAlertView): string {
  if (alert.assigneeSlackId) return mention(alert.assigneeSlackId);
  return alert.ticket.assignedToId ? '_someone outside Slack_' : '_unassigned_';
}

/** The notification text: ticket number, which target, breached or at risk, how late or how much left. */
function alertText(alert: SlaAlertView): string {
  return `${escalationLabel(alert)}${alert.ticket.number} ${alertState(alert)}: ${alertTiming(alert)} — ${userText(alert.ticket.title, 150)}`;
}

/** One SLA alert in the team's channel: what is late, by how much, who has it, and what to do. */
export function slaAlertMessage(alert: SlaAlertView): SlackMessage {
  const headline =
    `${alertEmoji(alert.kind)} ${escalationLabel(alert)}${ticketLine(alert.ticket)} — ` +
    `*${alertState(alert)}*, ${alertTiming(alert)}`;
  const blocks: KnownBlock[] = [
    section(alert.kind === 'escalation' ? `${headline}, not acknowledged yet` : headline),
    fieldsSection([
      ['Target', CLOCK_LABELS[alert.clock].replace(/^./, (c) => c.toUpperCase())],
      [alert.kind === 'warning' ? 'Due' : 'Was due', slackDate(alert.deadlineAt)],
      ['Assignee', alertAssignee(alert)],
    ]),
  ];
  if (alert.kind === 'escalation' && alert.escalationContactSlackIds.length > 0) {
    blocks.push(context(`cc ${alert.escalationContactSlackIds.map(mention).join(' ')}`));
  }
  const buttons: Button[] = [];
  if (!alert.ticket.assignedToId) buttons.push(button('Claim', ACTION.alertClaim, alert.ticket.id, 'primary'));
  buttons.push(button('Acknowledge', ACTION.alertAck, alert.alertId));
  if (alert.cardPermalink) buttons.push(linkButton(alert.cardPermalink, alert.ticket.id));
  blocks.push(actions(buttons));
  return { text: alertText(alert), blocks };
}

/** One alert's digest line, at most DIGEST_LINE_MAX characters: the title gets the room the rest leaves. */
function digestLine(alert: SlaAlertView): string {
  const card = alert.cardPermalink ? ` · ${link(alert.cardPermalink, 'card')}` : '';
  const contacts = alert.kind === 'escalation' ? alert.escalationContactSlackIds : [];
  const more = contacts.length > DIGEST_CC_MAX ? ` +${contacts.length - DIGEST_CC_MAX} more` : '';
  const cc = contacts.length > 0 ? ` · cc ${contacts.slice(0, DIGEST_CC_MAX).map(mention).join(' ')}${more}` : '';
  const head = `${alertEmoji(alert.kind)} ${escalationLabel(alert)}*${alert.ticket.number}* · `;
  const tail = ` — *${alertState(alert)}*, ${alertTiming(alert)} · ${alertAssignee(alert)}${card}${cc}`;
  const room = Math.min(TITLE_MAX, Math.max(DIGEST_LINE_MAX - head.length - tail.length, 20));
  // A very long permalink could still overflow: the end of the line gives way, never a token's half.
  return fitMrkdwn(`${head}${userText(alert.ticket.title, room)}${tail}`, DIGEST_LINE_MAX);
}

/**
 * Several alerts for one channel in one message: one line each, each with its Acknowledge.
 * At most SLA_DIGEST_MAX alerts (delivery splits longer queues into several digests).
 */
export function slaDigestMessage(alerts: SlaAlertView[]): SlackMessage {
  if (alerts.length === 0) throw new RangeError('A digest needs at least one alert');
  if (alerts.length > SLA_DIGEST_MAX) {
    throw new RangeError(`A digest lists at most ${SLA_DIGEST_MAX} alerts (got ${alerts.length})`);
  }
  const blocks: KnownBlock[] = [section(`:rotating_light: *${alerts.length} SLA alerts*`)];
  for (const alert of alerts) {
    blocks.push({ ...section(digestLine(alert)), accessory: button('Acknowledge', ACTION.alertAck, alert.alertId) });
  }
  blocks.push(context('Acknowledge stops a breach from being escalated. Claim a ticket from its card.'));
  const listed = alerts.slice(0, 10).map((a) => `${escalationLabel(a)}${a.ticket.number} ${alertState(a)}`);
  const more = alerts.length > listed.length ? `, and ${alerts.length - listed.length} more` : '';
  return { text: `${alerts.length} SLA alerts: ${listed.join(', ')}${more}`, blocks };
}

/** The thread reply under an alert once someone acknowledged it. */
export function slaAcknowledgedLine(input: { actorSlackId: string | null; kind: SlaAlertKindView; cancelledEscalations: number }): { text: string } {
  const actor = input.actorSlackId ? mention(input.actorSlackId) : API_ACTOR;
  const effect = input.kind === 'warning' ? '' : ' — no further escalation';
  return { text: `${actor} acknowledged this alert${effect}` };
}
