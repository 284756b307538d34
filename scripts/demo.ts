/**
 * `npm run demo`: the real app (Bolt in HTTP mode + REST API, one HTTP server on
 * 127.0.0.1) on the embedded database, against the local Slack fake. It plays a scripted
 * story through signed Slack requests with Slack's real payload shapes and prints what
 * each person would see in Slack. No Slack workspace, no database server, no network.
 *
 * The test suite runs it as the end-to-end smoke test (test/scripts/demo.test.ts).
 * The story is a list of steps (`DEMO_STORY`): appending one is how the demo grows.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openDatabase, type Db } from '../src/db/client.js';
import { migrate } from '../src/db/migrate.js';
import { listSlaPolicies } from '../src/domain/sla/policies.js';
import { getTicket, listTickets } from '../src/domain/tickets/queries.js';
import { listThreads } from '../src/domain/tickets/threads.js';
import { API_PREFIX } from '../src/http/paths.js';
import { startSlaScheduler, type SlaScheduler } from '../src/jobs/sla.js';
import { createLogger } from '../src/log.js';
import { SLA_ALERT_EVENT_TYPE } from '../src/slack/alerts.js';
import { SUGGESTED_BLOCK, HOURS_BLOCK } from '../src/slack/blocks/admin-sla.js';
import { ACTION, ADMIN_CONFIG_BLOCK, ADMIN_SLA_ACTION, CALLBACK, COMMAND } from '../src/slack/ids.js';
import { FAKE_SLACK_DEFAULTS, type FakeSlackCall, type FakeSlackUser } from '../test/support/fake-slack.js';
import { tokenFor } from '../test/support/http-server.js';
import { startSlackHarness, type SlackHarness } from '../test/support/slack-harness.js';
import type { ViewState } from '../test/support/slack-requests.js';
import { steppingClock } from '../test/support/scope.js';
import { INDENT, renderCall, type TranscriptDirectory } from './demo-transcript.js';

// ---------------------------------------------------------------------------
// The cast

export const DEMO_WORKSPACE = { id: 'T0DEMO', name: 'Acme Demo' } as const;
export const DEMO_PEOPLE = {
  ada: { id: 'U0ADA', name: 'Ada', username: 'ada', realName: 'Ada Lovelace', tz: 'Europe/Berlin' },
  grace: { id: 'U0GRACE', name: 'Grace', username: 'grace', realName: 'Grace Hopper', tz: 'America/New_York' },
  /** The workspace's owner in Slack, and so a helpdesk admin. */
  margaret: { id: 'U0MARGARET', name: 'Margaret', username: 'margaret', realName: 'Margaret Hamilton', tz: 'UTC', owner: true },
} as const;
export const DEMO_CHANNELS = {
  itHelp: { id: 'C0ITHELP', name: 'it-help' },
  general: { id: 'C0GENERAL', name: 'general' },
} as const;
const TEAM_NAME = 'IT Help Desk';
const BOT_NAME = 'Helpdesk';
/** How long a step waits for each Slack call it expects. */
const WAIT_MS = 5000;

const { ada, grace, margaret } = DEMO_PEOPLE;
const { itHelp, general } = DEMO_CHANNELS;

export const DEMO_DIRECTORY: TranscriptDirectory = {
  botName: BOT_NAME,
  users: { [ada.id]: { name: ada.name, tz: ada.tz }, [grace.id]: { name: grace.name, tz: grace.tz }, [margaret.id]: { name: margaret.name, tz: margaret.tz } },
  channels: { [itHelp.id]: itHelp.name, [general.id]: general.name },
  // The fake names the app's DM with a person D + their user id.
  dms: { [`D${ada.id}`]: ada.id },
  channelTimeZone: 'UTC',
};

// ---------------------------------------------------------------------------
// Steps

/** A step that did not happen as scripted; the message says which call was missing. */
export class DemoError extends Error {
  override name = 'DemoError';
}

type Json = Record<string, unknown>;

/** What the story remembers between steps. */
export interface DemoState {
  /** The view the last `views.open` showed. */
  modal?: Json;
  ticketNumber?: string;
  ticketId?: string;
  /** Channel and ts of the ticket's card. */
  card?: { channel: string; ts: string };
  /** The last message the requester got with buttons on it. */
  requesterDm?: FakeSlackCall;
  /** The last SLA alert posted in the team's channel. */
  alert?: FakeSlackCall;
  /** The message a 🎫 reaction made a ticket. */
  intakeMessage?: { channel: string; ts: string };
  /** The Home tab the admin last saw, and the admin modal open on it. */
  home?: SlackView;
  adminModal?: SlackView;
}

/** A view as Slack holds it: what the app sent, with the id and hash Slack gave it. */
export type SlackView = Json & { id: string; hash?: string };

export interface DemoContext {
  harness: SlackHarness;
  db: Db;
  state: DemoState;
  /** Narration lines (indented under the step's title). */
  say(line: string): void;
  /** A REST call with an admin token for the demo workspace; throws a DemoError unless 2xx. */
  api(method: string, path: string, body?: unknown): Promise<Json>;
  /** Waits (5 s) for a Slack call made during this step; `what` names it in the failure. */
  expectCall(method: string, what: string, predicate?: (call: FakeSlackCall) => boolean): Promise<FakeSlackCall>;
  /** The ticket's card as it looks now (its last post or update). */
  currentCard(): FakeSlackCall;
  /** Clicks the button labelled `label` on a message, as `userId`, with Slack's block_actions payload. */
  click(userId: string, message: { channel: string; ts?: string; call: FakeSlackCall }, label: string): Promise<void>;
  /**
   * `userId` writes `text` as a reply in the ticket's card thread (`agents`) or in their DM
   * thread with the app (`requester`): a signed message event, as Slack delivers it.
   */
  reply(userId: string, side: 'agents' | 'requester', text: string): Promise<{ channel: string; threadTs: string }>;
  /** `userId` opens the app's Home tab (app_home_opened); resolves with the Home the app publishes. */
  openHome(userId: string): Promise<SlackView>;
  /** The Home published for `userId` during this step (the latest). */
  expectHome(userId: string, what: string): Promise<SlackView>;
  /**
   * Clicks the button labelled `label` in a Home tab or modal, as `userId` (block_actions from
   * a view); resolves with the modal it opens, when it opens one.
   */
  clickInView(userId: string, view: SlackView, label: string, opens?: 'modal'): Promise<SlackView | undefined>;
  /** Changes one input of a modal that dispatches its changes; resolves with the modal as the app redraws it. */
  changeInView(userId: string, view: SlackView, blockId: string, answer: string): Promise<SlackView>;
  /** Fills and submits a modal; throws a DemoError when the app answers with field errors. */
  submitModal(userId: string, view: SlackView, answers: Answers): Promise<void>;
  /** Index into the fake's calls where this step began. */
  stepStart(): number;
  /** Moves the app's clock forward; the story's time is the app's, not the wall clock's. */
  advanceClock(minutes: number): void;
  /** One run of the SLA job (sweep and delivery), as node-cron fires it every minute. */
  runSlaJob(): Promise<void>;
}

export interface DemoStep {
  /** Who acts; ephemeral answers and modals are shown as this person sees them. */
  actor?: string;
  /** The actor's Home tab is shown in full when the app publishes it (others' read as one line). */
  showsHome?: boolean;
  title: string;
  run(ctx: DemoContext): Promise<void>;
}

const isCardCall = (state: DemoState) => (call: FakeSlackCall) =>
  state.card !== undefined &&
  call.args.channel === state.card.channel &&
  ((call.method === 'chat.update' && call.args.ts === state.card.ts) || (call.method === 'chat.postMessage' && !call.args.thread_ts));
const inThread = (state: DemoState) => (call: FakeSlackCall) =>
  state.card !== undefined && call.args.channel === state.card.channel && call.args.thread_ts === state.card.ts;
const toUser = (userId: string) => (call: FakeSlackCall) => call.args.channel === userId;
const isSlaAlert = (call: FakeSlackCall) => (call.args.metadata as { event_type?: string } | undefined)?.event_type === SLA_ALERT_EVENT_TYPE;
const contentOf = (call: FakeSlackCall) => `${String(call.args.text ?? '')} ${JSON.stringify(call.args.blocks ?? [])}`;

/** What a person types or picks in a modal, by block id: text, an option's value (or label), a channel id, user ids, checked values. */
export type Answers = Record<string, string | string[]>;

/** The options of a select, radio or checkbox element (a select's option groups included). */
function optionsOf(element: Json): Json[] {
  const direct = Array.isArray(element.options) ? (element.options as Json[]) : [];
  const grouped = Array.isArray(element.option_groups) ? (element.option_groups as Json[]).flatMap((g) => (Array.isArray(g.options) ? (g.options as Json[]) : [])) : [];
  return [...direct, ...grouped];
}

const optionLabel = (o: Json) => String((o.text as Json | undefined)?.text ?? '');

/** The value one element holds, as Slack reports it in `view.state.values`: the answer when there is one, else what the element shows. */
function stateOf(element: Json, answer: string | string[] | undefined, where: string): Record<string, unknown> {
  const one = (a: string) => {
    const found = optionsOf(element).find((o) => o.value === a || optionLabel(o) === a);
    if (!found) throw new DemoError(`${where} has no option "${a}"`);
    return found;
  };
  const many = (a: string | string[]) => (Array.isArray(a) ? a : [a]);
  switch (element.type) {
    case 'plain_text_input':
    case 'number_input':
      return { type: element.type, value: answer === undefined ? ((element.initial_value as string | undefined) ?? null) : String(answer) };
    case 'static_select':
    case 'radio_buttons':
      return { type: element.type, selected_option: answer === undefined ? (element.initial_option ?? null) : one(String(answer)) };
    case 'checkboxes':
      return { type: element.type, selected_options: answer === undefined ? (element.initial_options ?? []) : many(answer).map(one) };
    case 'conversations_select':
      return { type: element.type, selected_conversation: answer === undefined ? (element.initial_conversation ?? null) : String(answer) };
    case 'multi_users_select':
      return { type: element.type, selected_users: answer === undefined ? (element.initial_users ?? []) : many(answer) };
    case 'multi_conversations_select':
      return { type: element.type, selected_conversations: answer === undefined ? (element.initial_conversations ?? []) : many(answer) };
    default:
      throw new DemoError(`${where} is a ${String(element.type)}, which the demo cannot fill`);
  }
}

/** Fills a modal as a person would: typed answers, chosen options, the rest as prefilled. */
function fillModal(view: Json, answers: Answers): ViewState {
  const values: ViewState['values'] = {};
  const blocks = Array.isArray(view.blocks) ? (view.blocks as Json[]) : [];
  for (const block of blocks) {
    if (block.type !== 'input' || typeof block.block_id !== 'string') continue;
    const element = (block.element ?? {}) as Json;
    values[block.block_id] = { [String(element.action_id)]: stateOf(element, answers[block.block_id], `the modal's "${block.block_id}" input`) };
  }
  for (const id of Object.keys(answers)) {
    if (!values[id]) throw new DemoError(`the modal has no "${id}" input`);
  }
  return { values };
}

/** Every button of a message or view, in actions blocks and as section accessories, with its block's id. */
function buttonsIn(blocks: unknown): Array<{ button: Json; blockId: string | undefined }> {
  if (!Array.isArray(blocks)) return [];
  return (blocks as Json[]).flatMap((b) => {
    const elements = b.type === 'actions' && Array.isArray(b.elements) ? (b.elements as Json[]) : b.type === 'section' && b.accessory ? [b.accessory as Json] : [];
    return elements.filter((e) => e.type === 'button').map((button) => ({ button, blockId: typeof b.block_id === 'string' ? b.block_id : undefined }));
  });
}

/** The view a views.open / views.update / views.publish call showed, with the id and hash Slack answered. */
function shownView(call: FakeSlackCall): SlackView {
  const answered = (call.reply?.view ?? {}) as Json;
  if (typeof answered.id !== 'string') throw new DemoError(`Slack did not show the view of ${call.method} (${call.error ?? 'no answer'})`);
  return { ...(call.args.view as Json), id: answered.id, ...(typeof answered.hash === 'string' ? { hash: answered.hash } : {}) };
}

/** The story. A later step is one more entry. */
export const DEMO_STORY: DemoStep[] = [
  {
    actor: margaret.id,
    showsHome: true,
    title: "Margaret, the workspace owner (so a helpdesk admin), opens the app's Home: a setup checklist",
    async run(ctx) {
      ctx.say('Slack says she owns the workspace (users.info), so her Home has the admin part; nobody else sees it.');
      ctx.state.home = await ctx.openHome(margaret.id);
      if (!JSON.stringify(ctx.state.home.blocks).includes('Set up your helpdesk')) throw new DemoError("Margaret's Home shows no setup checklist");
    },
  },
  {
    actor: margaret.id,
    showsHome: true,
    title: `Margaret clicks [Create team]: "${TEAM_NAME}", cards in #${itHelp.name}, Grace as its agent, herself to escalate to`,
    async run(ctx) {
      const modal = await ctx.clickInView(margaret.id, ctx.state.home!, 'Create team', 'modal');
      await ctx.submitModal(margaret.id, modal!, {
        [ADMIN_CONFIG_BLOCK.teamName]: TEAM_NAME,
        [ADMIN_CONFIG_BLOCK.teamChannel]: itHelp.id,
        [ADMIN_CONFIG_BLOCK.teamAgents]: [grace.id],
        [ADMIN_CONFIG_BLOCK.teamEscalation]: [margaret.id],
      });
      await ctx.expectCall('conversations.join', `the app joining #${itHelp.name}`, (c) => c.args.channel === itHelp.id);
      ctx.say(`The app joins #${itHelp.name} by itself (a public channel); for a private one it would tell Margaret to /invite it.`);
      ctx.state.home = await ctx.expectHome(margaret.id, "Margaret's Home with the team");
    },
  },
  {
    actor: margaret.id,
    showsHome: true,
    title: 'Margaret clicks [Choose policies] and keeps the suggested set, but wants High answered within 30 minutes',
    async run(ctx) {
      const modal = await ctx.clickInView(margaret.id, ctx.state.home!, 'Choose policies', 'modal');
      await ctx.submitModal(margaret.id, modal!, { [SUGGESTED_BLOCK.first('high')]: '30', [SUGGESTED_BLOCK.resolution('high')]: '240' });
      const policies = await listSlaPolicies(ctx.db, { tenantId: DEMO_WORKSPACE.id, actorId: null, now: new Date() });
      const high = policies.items.find((p) => p.priority === 'high');
      if (!high || high.firstResponseMinutes !== 30) throw new DemoError('the High policy does not answer within 30 minutes');
      ctx.say(`${policies.items.length} policies, one per priority for every ticket type; High: first response 30 min, resolution 4 h, around the clock.`);
      ctx.state.home = await ctx.expectHome(margaret.id, "Margaret's Home with the policies");
    },
  },
  {
    actor: margaret.id,
    title: 'Margaret clicks [Set business hours], picks Berlin and a lunch break on Mondays; the preview follows her typing',
    async run(ctx) {
      let modal = (await ctx.clickInView(margaret.id, ctx.state.home!, 'Set business hours', 'modal'))!;
      modal = await ctx.changeInView(margaret.id, modal, HOURS_BLOCK.timezone, 'Europe/Berlin');
      modal = await ctx.changeInView(margaret.id, modal, HOURS_BLOCK.day('mon'), '09:00-12:00, 13:00-17:00');
      ctx.state.adminModal = modal;
    },
  },
  {
    actor: margaret.id,
    showsHome: true,
    title: 'Margaret clicks [Save]: the checklist is done, and her Home is the admin section',
    async run(ctx) {
      await ctx.submitModal(margaret.id, ctx.state.adminModal!, {});
      ctx.state.home = await ctx.expectHome(margaret.id, "Margaret's Home once set up");
      if (JSON.stringify(ctx.state.home.blocks).includes('Set up your helpdesk')) throw new DemoError("Margaret's Home still shows the checklist");
    },
  },
  {
    actor: margaret.id,
    title: `Margaret clicks [Edit settings] and makes ${TEAM_NAME} the default team of the "New ticket" form`,
    async run(ctx) {
      const modal = await ctx.clickInView(margaret.id, ctx.state.home!, 'Edit settings', 'modal');
      await ctx.submitModal(margaret.id, modal!, { [ADMIN_CONFIG_BLOCK.defaultTeam]: TEAM_NAME });
      ctx.state.home = await ctx.expectHome(margaret.id, "Margaret's Home with the default team");
      ctx.say('Every change is recorded with who and when; her Home lists the last five.');
    },
  },
  {
    actor: ada.id,
    title: `Ada types \`${COMMAND} My laptop won't connect to the VPN\` in #${general.name}`,
    async run(ctx) {
      const answer = await ctx.harness.sender.slashCommand({
        command: COMMAND,
        text: "My laptop won't connect to the VPN",
        userId: ada.id,
        userName: ada.username,
        teamId: DEMO_WORKSPACE.id,
        channelId: general.id,
        channelName: general.name,
      });
      if (answer.status !== 200) throw new DemoError(`the app answered the slash command with HTTP ${answer.status}`);
      const open = await ctx.expectCall('views.open', 'the "New ticket" modal');
      ctx.state.modal = open.args.view as Json;
    },
  },
  {
    actor: ada.id,
    title: 'Ada describes the problem, picks Incident and High, and clicks [Create]',
    async run(ctx) {
      const view = ctx.state.modal;
      if (!view) throw new DemoError('no modal is open');
      const state = fillModal(view, {
        description: 'Since this morning the client says "Authentication failed (809)". Working from home & cut off from everything internal.',
        type: 'incident',
        priority: 'high',
        category: 'Network',
      });
      const answer = await ctx.harness.sender.viewSubmission({
        userId: ada.id,
        userName: ada.username,
        teamId: DEMO_WORKSPACE.id,
        view: {
          callback_id: String(view.callback_id ?? CALLBACK.createTicketModal),
          blocks: view.blocks as unknown[],
          ...(view.title ? { title: view.title as { type: 'plain_text'; text: string } } : {}),
          state,
        },
      });
      if (answer.status !== 200 || answer.body !== '') {
        throw new DemoError(`the modal was not accepted: HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
      }
      const card = await ctx.expectCall('chat.postMessage', `the ticket card in #${itHelp.name}`, (c) => c.args.channel === itHelp.id && !c.args.thread_ts);
      const dm = await ctx.expectCall('chat.postMessage', "Ada's DM about her new ticket", toUser(ada.id));
      const number = /TKT-\d+/.exec(contentOf(dm))?.[0];
      if (!number || !contentOf(card).includes(number)) throw new DemoError('the card and the DM do not name the same ticket');
      const ticket = await getTicket(ctx.db, { tenantId: DEMO_WORKSPACE.id }, number);
      if (!ticket.slackMessageTs || ticket.slackChannelId !== itHelp.id) throw new DemoError('the ticket does not know its card');
      ctx.state.ticketNumber = number;
      ctx.state.ticketId = ticket.id;
      ctx.state.card = { channel: itHelp.id, ts: ticket.slackMessageTs };
    },
  },
  {
    title: 'Twenty-three minutes pass and nobody has picked it up: the SLA job posts a warning',
    async run(ctx) {
      ctx.say('The first-response target is 30 minutes; the workspace warns at 75% of a target (the SLA warning % in Settings).');
      ctx.advanceClock(23);
      await ctx.runSlaJob();
      ctx.state.alert = await ctx.expectCall(
        'chat.postMessage',
        `the "at risk" warning in #${itHelp.name}`,
        (c) => isSlaAlert(c) && c.args.channel === itHelp.id && String(c.args.text).includes('first response at risk'),
      );
    },
  },
  {
    actor: grace.id,
    showsHome: true,
    title: "Grace opens the app's Home: the ticket waits under Unassigned and At risk",
    async run(ctx) {
      const home = await ctx.openHome(grace.id);
      const text = JSON.stringify(home.blocks);
      if (!text.includes(ctx.state.ticketNumber!) || !text.includes('At risk')) throw new DemoError("Grace's Home does not show the ticket at risk");
    },
  },
  {
    title: 'Eight minutes later the first-response target is missed: the breach alert, once',
    async run(ctx) {
      ctx.advanceClock(8);
      await ctx.runSlaJob();
      ctx.state.alert = await ctx.expectCall(
        'chat.postMessage',
        `the breach alert in #${itHelp.name}`,
        (c) => isSlaAlert(c) && c.args.channel === itHelp.id && String(c.args.text).includes('first response breached'),
      );
      await ctx.expectCall('chat.update', 'the card marked as breached', (c) => isCardCall(ctx.state)(c) && contentOf(c).includes('SLA breached'));
      // The next run, a minute later, posts nothing: each alert is in the ledger once.
      ctx.advanceClock(1);
      await ctx.runSlaJob();
    },
  },
  {
    actor: grace.id,
    title: `Grace clicks [Acknowledge] on the alert (or it is re-announced in an hour, mentioning the escalation contacts)`,
    async run(ctx) {
      const alert = ctx.state.alert;
      if (!alert) throw new DemoError('there is no alert to acknowledge');
      await ctx.click(grace.id, { channel: itHelp.id, call: alert }, 'Acknowledge');
      await ctx.expectCall('chat.postMessage', 'the "acknowledged" line under the alert', (c) => c.args.channel === itHelp.id && contentOf(c).includes('acknowledged this alert'));
    },
  },
  {
    actor: grace.id,
    title: `Grace clicks [Claim] on the card in #${itHelp.name}`,
    async run(ctx) {
      await ctx.click(grace.id, { ...ctx.state.card!, call: ctx.currentCard() }, 'Claim');
      await ctx.expectCall('chat.update', 'the card showing Grace as assignee', (c) => isCardCall(ctx.state)(c) && contentOf(c).includes(`<@${grace.id}>`));
      await ctx.expectCall('chat.postMessage', 'the "claimed" line in the card\'s thread', (c) => inThread(ctx.state)(c) && contentOf(c).includes('claimed'));
      await ctx.expectCall('chat.postMessage', 'Ada\'s DM that Grace is on it', (c) => toUser(ada.id)(c) && contentOf(c).includes('working on'));
    },
  },
  {
    actor: grace.id,
    title: "Grace asks Ada a question in the card's thread",
    async run(ctx) {
      const dm = await ctx.reply(grace.id, 'agents', 'Which VPN client version are you on, and does it fail on your phone hotspot too?');
      await ctx.expectCall('chat.postMessage', "the question copied into Ada's DM thread", (c) => c.args.channel === dm.channel && c.args.thread_ts === dm.threadTs);
    },
  },
  {
    actor: ada.id,
    title: 'Ada answers in the thread of her "ticket created" DM',
    async run(ctx) {
      await ctx.reply(ada.id, 'requester', 'Version 5.2 — and yes, the hotspot fails the same way.');
      await ctx.expectCall('chat.postMessage', "Ada's answer copied into the card's thread", (c) => inThread(ctx.state)(c) && contentOf(c).includes('Version 5.2'));
      await ctx.expectCall('chat.update', 'the card counting the conversation', (c) => isCardCall(ctx.state)(c) && contentOf(c).includes('2 comments'));
    },
  },
  {
    actor: grace.id,
    title: "Grace writes a private note in the card's thread (starting with `note:`); Ada never sees it",
    async run(ctx) {
      const dm = await ctx.reply(grace.id, 'agents', "note: her profile predates the certificate rotation; I'll reissue it");
      await ctx.expectCall('reactions.add', 'the 🔒 on the note', (c) => c.args.channel === itHelp.id && c.args.name === 'lock');
      await ctx.expectCall('chat.update', 'the card counting the note', (c) => isCardCall(ctx.state)(c) && contentOf(c).includes('3 comments'));
      await ctx.harness.slack.idle();
      // The note stays with the agents: nothing reached Ada's DM.
      if (ctx.harness.fake.calls.slice(ctx.stepStart()).some((c) => c.args.channel === dm.channel || c.args.channel === ada.id)) {
        throw new DemoError("the private note reached Ada's DM");
      }
    },
  },
  {
    actor: grace.id,
    title: 'Grace needs to know more and clicks [Pending]',
    async run(ctx) {
      await ctx.click(grace.id, { ...ctx.state.card!, call: ctx.currentCard() }, 'Pending');
      await ctx.expectCall('chat.update', 'the card showing Pending', (c) => isCardCall(ctx.state)(c) && contentOf(c).includes('Pending'));
      await ctx.expectCall('chat.postMessage', 'the status line in the thread', inThread(ctx.state));
      await ctx.expectCall('chat.postMessage', 'Ada\'s DM asking for her input', (c) => toUser(ada.id)(c) && contentOf(c).includes('needs your input'));
    },
  },
  {
    actor: grace.id,
    title: "Ada answers; Grace resets Ada's VPN profile and clicks [Resolve]",
    async run(ctx) {
      await ctx.click(grace.id, { ...ctx.state.card!, call: ctx.currentCard() }, 'Resolve');
      await ctx.expectCall('chat.update', 'the card showing Resolved', (c) => isCardCall(ctx.state)(c) && contentOf(c).includes('Resolved'));
      await ctx.expectCall('chat.postMessage', 'the "resolved" line in the thread', (c) => inThread(ctx.state)(c) && contentOf(c).includes('resolved'));
      ctx.state.requesterDm = await ctx.expectCall(
        'chat.postMessage',
        "Ada's DM with [Close] and [Reopen]",
        (c) => toUser(ada.id)(c) && contentOf(c).includes(ACTION.close) && contentOf(c).includes(ACTION.reopen),
      );
    },
  },
  {
    actor: ada.id,
    title: 'Ada checks the VPN works and clicks [Close] in her DM',
    async run(ctx) {
      const dm = ctx.state.requesterDm;
      if (!dm) throw new DemoError('Ada has no DM with a Close button');
      await ctx.click(ada.id, { channel: `D${ada.id}`, call: dm }, 'Close');
      await ctx.expectCall('chat.update', 'the card showing Closed', (c) => isCardCall(ctx.state)(c) && contentOf(c).includes('Closed'));
      await ctx.expectCall('chat.postMessage', 'the "closed" line in the thread', (c) => inThread(ctx.state)(c) && contentOf(c).includes('closed'));
    },
  },
  {
    actor: ada.id,
    title: `Ada types \`${COMMAND} list\``,
    async run(ctx) {
      const answer = await ctx.harness.sender.slashCommand({
        command: COMMAND,
        text: 'list',
        userId: ada.id,
        userName: ada.username,
        teamId: DEMO_WORKSPACE.id,
        channelId: general.id,
        channelName: general.name,
      });
      if (answer.status !== 200) throw new DemoError(`the app answered \`${COMMAND} list\` with HTTP ${answer.status}`);
      await ctx.expectCall('response_url', "the list of Ada's open tickets");
    },
  },
  {
    actor: ada.id,
    showsHome: true,
    title: "Ada opens the app's Home: her request, closed, under My requests",
    async run(ctx) {
      const home = await ctx.openHome(ada.id);
      const text = JSON.stringify(home.blocks);
      if (!text.includes(ctx.state.ticketNumber!) || text.includes('Set up your helpdesk')) throw new DemoError("Ada's Home does not show her request (or shows her the admin part)");
    },
  },
  {
    actor: grace.id,
    title: `Ada asks in #${itHelp.name} instead of typing ${COMMAND}; Grace reacts 🎫 to her message, which makes it a ticket`,
    async run(ctx) {
      const text = 'The printer on floor 2 jams on every page <!here>';
      const message = ctx.harness.fake.addMessage(itHelp.id, { user: ada.id, text });
      ctx.state.intakeMessage = { channel: itHelp.id, ts: message.ts };
      ctx.say(`#${itHelp.name}  Ada: The printer on floor 2 jams on every page @here`);
      ctx.say(`#${itHelp.name}  Grace reacted 🎫 to Ada's message`);
      const answer = await ctx.harness.sender.event({
        teamId: DEMO_WORKSPACE.id,
        event: { type: 'reaction_added', user: grace.id, reaction: 'ticket', item_user: ada.id, item: { type: 'message', channel: itHelp.id, ts: message.ts }, event_ts: message.ts },
      });
      if (answer.status !== 200) throw new DemoError(`the app answered the reaction with HTTP ${answer.status}`);
      await ctx.expectCall('chat.postMessage', "the answer in the thread of Ada's message", (c) => c.args.channel === itHelp.id && c.args.thread_ts === message.ts && contentOf(c).includes('TKT-0002'));
      await ctx.expectCall('chat.postMessage', 'the card of TKT-0002', (c) => c.args.channel === itHelp.id && !c.args.thread_ts && contentOf(c).includes('TKT-0002'));
    },
  },
  {
    actor: grace.id,
    title: "Grace answers in the new card's thread; her answer appears in the thread of Ada's message",
    async run(ctx) {
      await ctx.harness.slack.idle();
      const source = ctx.state.intakeMessage!;
      const [ticket] = (await listTickets(ctx.db, { tenantId: DEMO_WORKSPACE.id }, { sort: '-number', limit: 1 })).items;
      if (!ticket?.slackMessageTs) throw new DemoError('TKT-0002 has no card');
      const text = 'Thanks Ada, a technician is on the way with a new fuser.';
      ctx.say(`#${itHelp.name} › thread  Grace: ${text}`);
      const answer = await ctx.harness.sender.event({
        teamId: DEMO_WORKSPACE.id,
        event: { type: 'message', channel: itHelp.id, channel_type: 'channel', user: grace.id, text, ts: `${Math.floor(Date.now() / 1000) + 1}.000300`, thread_ts: ticket.slackMessageTs },
      });
      if (answer.status !== 200) throw new DemoError(`the app answered Grace's reply with HTTP ${answer.status}`);
      await ctx.expectCall('chat.postMessage', "Grace's answer in the thread of Ada's message", (c) => c.args.channel === source.channel && c.args.thread_ts === source.ts && contentOf(c).includes('technician'));
    },
  },
];

// ---------------------------------------------------------------------------
// The run

export interface DemoOptions {
  /** Where the transcript goes, one line at a time; stdout by default. */
  write?: (line: string) => void;
  /** PGlite data directory (should be new); a fresh temporary one, removed afterwards, by default. */
  dataDir?: string;
}

export interface DemoResult {
  transcript: string[];
  ticketNumber: string;
  finalStatus: string;
}

/** Time zone offset in seconds at `at`, as Slack's `tz_offset` reports it. */
function tzOffsetSeconds(timeZone: string, at: Date): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(at);
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const local = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'));
  return Math.round((local - Math.floor(at.getTime() / 1000) * 1000) / 1000);
}

function fakeUsers(): FakeSlackUser[] {
  const now = new Date();
  return Object.values(DEMO_PEOPLE).map((p) => ({
    id: p.id,
    name: p.username,
    real_name: p.realName,
    display_name: p.name,
    tz: p.tz,
    tz_offset: tzOffsetSeconds(p.tz, now),
    team_id: DEMO_WORKSPACE.id,
    ...('owner' in p ? { is_owner: p.owner } : {}),
  }));
}

let messageSeq = 0;
/** A person's message ts: unique in the run, apart from the fake's own (1700000000.…). */
const nextMessageTs = () => `1800000000.${String(++messageSeq).padStart(6, '0')}`;

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const out = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const transcript: string[] = [];
  const write = (line: string) => {
    transcript.push(line);
    out(line);
  };

  const tempDir = options.dataDir ? undefined : await mkdtemp(join(tmpdir(), 'helpdesk-demo-'));
  const dataDir = options.dataDir ?? join(tempDir!, 'pglite');
  let database: Awaited<ReturnType<typeof openDatabase>> | undefined;
  let harness: SlackHarness | undefined;
  let sla: SlaScheduler | undefined;
  try {
    write(`Helpdesk for Slack — demo: the real app on the embedded database (PGlite), a local Slack fake, no workspace needed.`);
    write(`Workspace ${DEMO_WORKSPACE.id}: Margaret (owner, sets the desk up), Ada (requester, ${ada.tz}), Grace (agent, ${grace.tz}); channel times in UTC.`);
    write(`Starting the database in ${tempDir ? 'a temporary directory' : dataDir} (takes a few seconds)…`);

    // The embedded database, whatever DATABASE_URL says: the demo never touches real data.
    database = await openDatabase({ dataDir });
    await migrate(database.db);
    // The app's clock: the wall clock's minute at the start, then moved on by the story.
    const clock = steppingClock(new Date(Math.floor(Date.now() / 60_000) * 60_000).toISOString());
    harness = await startSlackHarness({
      db: database.db,
      now: clock.now,
      logLevel: 'warn',
      fake: { teamId: DEMO_WORKSPACE.id, teamName: DEMO_WORKSPACE.name, botName: 'helpdesk', users: fakeUsers() },
    });
    const h = harness;
    // The SLA job as `npm start` runs it, fired by the story instead of by node-cron.
    sla = startSlaScheduler({
      db: database.db,
      slack: h.slack.alerts,
      cron: null,
      log: createLogger('warn', (line) => h.problems.push(line)),
      now: clock.now,
      sweepAtStart: false,
    });
    const job = sla;
    const db = database.db;
    // A human token for Margaret's Slack user id (`npm run token -- --slack-user U0MARGARET`): it
    // acts as her, and Slack says she owns the workspace, so she may configure the desk.
    const token = await tokenFor({ sub: margaret.id, tenant_id: DEMO_WORKSPACE.id });
    const state: DemoState = {};


    let mark = 0;
    const api: DemoContext['api'] = async (method, path, body) => {
      const response = await fetch(`${h.baseUrl}${API_PREFIX}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      if (!response.ok) throw new DemoError(`${method} ${API_PREFIX}${path} answered ${response.status}: ${text}`);
      return JSON.parse(text) as Json;
    };
    const ctx: DemoContext = {
      harness: h,
      db,
      state,
      say: (line) => write(`${INDENT}${line}`),
      api,
      async expectCall(method, what, predicate = () => true) {
        const from = mark;
        try {
          return await h.fake.waitFor(method, (call) => h.fake.calls.indexOf(call) >= from && predicate(call), WAIT_MS);
        } catch {
          const seen = h.fake.calls.slice(from).map((c) => c.method).join(', ') || 'none';
          throw new DemoError(`expected ${what} (${method}) within ${WAIT_MS / 1000} s, but it did not arrive (Slack calls in this step: ${seen})`);
        }
      },
      currentCard() {
        const card = [...h.fake.calls].reverse().find(isCardCall(state));
        if (!card) throw new DemoError('the ticket has no card yet');
        return card;
      },
      async click(userId, message, label) {
        const blocks = (Array.isArray(message.call.args.blocks) ? message.call.args.blocks : []) as Json[];
        const buttons = blocks.flatMap((b) => (b.type === 'actions' && Array.isArray(b.elements) ? (b.elements as Json[]) : [])).filter((e) => e.type === 'button');
        const button = buttons.find((b) => (b.text as Json | undefined)?.text === label);
        if (!button) {
          const offered = buttons.map((b) => `[${String((b.text as Json | undefined)?.text)}]`).join(' ') || 'none';
          throw new DemoError(`there is no [${label}] button to click (buttons: ${offered})`);
        }
        const person = Object.values(DEMO_PEOPLE).find((p) => p.id === userId);
        const answer = await h.sender.blockActions({
          userId,
          ...(person ? { userName: person.username } : {}),
          teamId: DEMO_WORKSPACE.id,
          channelId: message.channel,
          ...(message.ts ? { messageTs: message.ts } : {}),
          message: {
            type: 'message',
            ...(message.ts ? { ts: message.ts } : {}),
            text: message.call.args.text,
            user: FAKE_SLACK_DEFAULTS.botUserId,
            bot_id: FAKE_SLACK_DEFAULTS.botId,
            blocks,
          },
          actions: [
            {
              type: 'button',
              action_id: String(button.action_id),
              ...(typeof button.value === 'string' ? { value: button.value } : {}),
              text: button.text as { type: 'plain_text'; text: string; emoji?: boolean },
            },
          ],
        });
        if (answer.status !== 200) throw new DemoError(`the app answered the [${label}] click with HTTP ${answer.status}`);
      },
      async reply(userId, side, text) {
        const threads = state.ticketId ? await listThreads(db, DEMO_WORKSPACE.id, state.ticketId) : [];
        const thread = threads.find((t) => t.side === side);
        const other = threads.find((t) => t.side !== side);
        if (!thread || !other) throw new DemoError(`the ticket has no ${side === 'agents' ? "card thread" : 'DM thread'} to reply in`);
        const where = side === 'agents' ? `#${itHelp.name} › thread` : 'DM with Helpdesk › thread';
        ctx.say(`${where}  ${DEMO_DIRECTORY.users[userId]?.name ?? userId}: ${text}`);
        const answer = await h.sender.event({
          teamId: DEMO_WORKSPACE.id,
          event: {
            type: 'message',
            channel: thread.channelId,
            channel_type: side === 'agents' ? 'channel' : 'im',
            user: userId,
            text,
            ts: nextMessageTs(),
            thread_ts: thread.threadTs,
          },
        });
        if (answer.status !== 200) throw new DemoError(`the app answered the message event with HTTP ${answer.status}`);
        return { channel: other.channelId, threadTs: other.threadTs };
      },
      async openHome(userId) {
        const answer = await h.sender.appHomeOpened({ userId, teamId: DEMO_WORKSPACE.id });
        if (answer.status !== 200) throw new DemoError(`the app answered app_home_opened with HTTP ${answer.status}`);
        return ctx.expectHome(userId, `${DEMO_DIRECTORY.users[userId]?.name ?? userId}'s Home tab`);
      },
      async expectHome(userId, what) {
        await h.slack.idle();
        await ctx.expectCall('views.publish', what, (c) => c.args.user_id === userId);
        const latest = [...h.fake.calls].reverse().find((c) => c.method === 'views.publish' && c.args.user_id === userId && h.fake.calls.indexOf(c) >= mark);
        return shownView(latest!);
      },
      async clickInView(userId, view, label, opens) {
        const found = buttonsIn(view.blocks).find(({ button }) => (button.text as Json | undefined)?.text === label);
        if (!found) {
          const offered = buttonsIn(view.blocks).map(({ button }) => `[${String((button.text as Json | undefined)?.text)}]`).join(' ') || 'none';
          throw new DemoError(`there is no [${label}] button to click (buttons: ${offered})`);
        }
        const from = h.fake.calls.length;
        const answer = await h.sender.blockActions({
          userId,
          teamId: DEMO_WORKSPACE.id,
          view: { ...view, state: view.type === 'modal' ? fillModal(view, {}) : { values: {} } },
          actions: [
            {
              type: 'button',
              action_id: String(found.button.action_id),
              ...(found.blockId ? { block_id: found.blockId } : {}),
              ...(typeof found.button.value === 'string' ? { value: found.button.value } : {}),
              text: found.button.text as { type: 'plain_text'; text: string; emoji?: boolean },
            },
          ],
        });
        if (answer.status !== 200) throw new DemoError(`the app answered the [${label}] click with HTTP ${answer.status}`);
        if (!opens) return undefined;
        const opened = await h.fake.waitFor('views.open', (c) => h.fake.calls.indexOf(c) >= from, WAIT_MS).catch(() => {
          throw new DemoError(`the [${label}] click opened no modal`);
        });
        return shownView(opened);
      },
      async changeInView(userId, view, blockId, answer) {
        const block = (view.blocks as Json[]).find((b) => b.block_id === blockId);
        const element = (block?.element ?? {}) as Json;
        if (!block) throw new DemoError(`the modal has no "${blockId}" input`);
        const state = fillModal(view, { [blockId]: answer });
        const from = h.fake.calls.length;
        const response = await h.sender.blockActions({
          userId,
          teamId: DEMO_WORKSPACE.id,
          view: { ...view, state },
          actions: [{ action_id: String(element.action_id), block_id: blockId, ...(state.values[blockId]![String(element.action_id)] as Json) } as never],
        });
        if (response.status !== 200) throw new DemoError(`the app answered the change of "${blockId}" with HTTP ${response.status}`);
        const updated = await h.fake.waitFor('views.update', (c) => h.fake.calls.indexOf(c) >= from && c.args.view_id === view.id, WAIT_MS).catch(() => {
          throw new DemoError(`the modal was not redrawn after "${blockId}" changed`);
        });
        return shownView(updated);
      },
      async submitModal(userId, view, answers) {
        const answer = await h.sender.viewSubmission({
          userId,
          teamId: DEMO_WORKSPACE.id,
          view: {
            id: view.id,
            ...(view.hash ? { hash: view.hash } : {}),
            callback_id: String(view.callback_id),
            ...(typeof view.private_metadata === 'string' ? { private_metadata: view.private_metadata } : {}),
            blocks: view.blocks as unknown[],
            ...(view.title ? { title: view.title as { type: 'plain_text'; text: string } } : {}),
            state: fillModal(view, answers),
          },
        });
        if (answer.status !== 200 || (answer.body !== '' && !String(answer.body).includes('"clear"') && !String(answer.body).includes('"update"'))) {
          throw new DemoError(`the "${String((view.title as Json | undefined)?.text)}" modal was not accepted: HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
        }
      },
      stepStart: () => mark,
      advanceClock(minutes) {
        clock.advance(minutes);
      },
      async runSlaJob() {
        await job.runNow();
      },
    };

    for (const [index, step] of DEMO_STORY.entries()) {
      mark = h.fake.calls.length;
      const problemsBefore = h.problems.length;
      write('');
      write(`▶ ${index + 1}. ${step.title}`);
      try {
        await step.run(ctx);
        await h.slack.idle();
      } catch (error) {
        throw new DemoError(`step ${index + 1} ("${step.title}") failed: ${messageOf(error)}`);
      }
      for (const call of h.fake.calls.slice(mark)) {
        for (const line of renderCall(call, DEMO_DIRECTORY, { viewer: step.actor, home: step.showsHome ? step.actor : undefined })) write(`${INDENT}${line}`);
      }
      const problems = h.problems.slice(problemsBefore);
      if (problems.length > 0) {
        throw new DemoError(`step ${index + 1} ("${step.title}"): the app logged warnings or errors:\n${problems.join('\n')}`);
      }
    }

    const number = state.ticketNumber;
    if (!number) throw new DemoError('the story ended without a ticket');
    const ticket = await api('GET', `/tickets/${number}`);
    const finalStatus = String(ticket.status);
    if (h.problems.length > 0) throw new DemoError(`the app logged warnings or errors:\n${h.problems.join('\n')}`);
    write('');
    write(`✔ ${number} is ${finalStatus} (GET ${API_PREFIX}/tickets/${number}); ${h.fake.calls.length} Slack API calls, no warnings or errors.`);
    return { transcript, ticketNumber: number, finalStatus };
  } finally {
    await sla?.stop().catch(() => {});
    await harness?.close().catch(() => {});
    await database?.close().catch(() => {});
    if (tempDir) await rm(tempDir, { recursive: true, force: true }).catch(() => {});
  }
}

function isMain(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  const real = (path: string) => {
    try {
      return realpathSync(path);
    } catch {
      return path;
    }
  };
  return import.meta.url === pathToFileURL(real(resolve(script))).href;
}

if (isMain()) {
  try {
    await runDemo();
  } catch (error) {
    process.stderr.write(`\ndemo failed: ${messageOf(error)}\n`);
    process.exit(1);
  }
}
