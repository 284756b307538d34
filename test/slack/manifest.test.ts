import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Db } from '../../src/db/client.js';
import { createLogger } from '../../src/log.js';
import { createSlackApp, type SlackRuntime } from '../../src/slack/app.js';
import { slaAlertMessage, slaDigestMessage, type SlaAlertView } from '../../src/slack/blocks/alerts.js';
import { ticketCard } from '../../src/slack/blocks/card.js';
import { requesterUpdateDm } from '../../src/slack/blocks/messages.js';
import { TICKET_STATUSES } from '../../src/db/schema/index.js';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.js';

interface Manifest {
  features: {
    app_home?: { home_tab_enabled?: boolean; messages_tab_enabled?: boolean; messages_tab_read_only_enabled?: boolean };
    slash_commands?: Array<{ command: string; url?: string }>;
    shortcuts?: Array<{ callback_id: string; type: string }>;
  };
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    interactivity: { is_enabled: boolean; request_url?: string };
    event_subscriptions?: { request_url?: string; bot_events?: string[] };
    socket_mode_enabled: boolean;
  };
}

/**
 * The bot scopes each Web API method the code calls needs (Slack's method reference).
 * A method missing here fails the test: add it with its scopes, and the scope to the manifest.
 */
const METHOD_SCOPES: Record<string, string[]> = {
  'chat.postMessage': ['chat:write'],
  'chat.update': ['chat:write'],
  'chat.postEphemeral': ['chat:write'],
  'chat.delete': ['chat:write'],
  'reactions.add': ['reactions:write'],
  'conversations.join': ['channels:join'],
  // Asked only about a team's private channel (a public one is joined instead).
  'conversations.info': ['groups:read'],
  'chat.getPermalink': [],
  'views.open': [],
  'views.publish': [],
  'views.push': [],
  'views.update': [],
  'auth.test': [],
  'users.info': ['users:read'],
  // The message a reaction raises a ticket from: public channels and private ones the bot is in.
  'conversations.history': ['channels:history', 'groups:history'],
  'conversations.replies': ['channels:history', 'groups:history'],
};

/** The bot scopes each bot event subscription needs (Slack's events reference). */
const EVENT_SCOPES: Record<string, string[]> = {
  app_home_opened: [],
  'message.channels': ['channels:history'],
  'message.groups': ['groups:history'],
  'message.im': ['im:history'],
  reaction_added: ['reactions:read'],
};

/** Scopes not tied to one method call, each with its reason. */
const FEATURE_SCOPES: Record<string, string> = {
  commands: 'slash commands and shortcuts',
  'chat:write.public': 'cards in team channels the bot has not joined',
  'chat:write.customize': 'copies of comments under their author\'s name and avatar',
};

const ROOT = join(import.meta.dirname, '..', '..');
const manifest = parse(readFileSync(join(ROOT, 'manifest.yml'), 'utf8')) as Manifest;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

/** Every `client.<family>.<method>(` call in the product's source. */
function webApiMethodsCalled(): Set<string> {
  const methods = new Set<string>();
  for (const file of sourceFiles(join(ROOT, 'src'))) {
    if (file.includes(`${join('src', 'sdk')}`)) continue;
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/\bclient\s*\.\s*([a-z]+)\s*\.\s*([a-zA-Z]+)\s*\(/g)) methods.add(`${match[1]}.${match[2]}`);
  }
  return methods;
}

describe('manifest.yml against the code', () => {
  let fake: FakeSlack;
  let slack: SlackRuntime;

  beforeAll(async () => {
    fake = await startFakeSlack();
    // Registration only: no listener runs here, so no database is opened.
    slack = createSlackApp({
      db: undefined as unknown as Db,
      signingSecret: 'manifest-test',
      botToken: 'xoxb-manifest-test',
      apiUrl: fake.url,
      log: createLogger('error', () => {}),
      retryConfig: { retries: 0 },
    });
  });
  afterAll(async () => {
    await slack?.stop();
    await fake?.close();
  });

  it('declares exactly the slash commands the app registers, at /slack/events', () => {
    const declared = (manifest.features.slash_commands ?? []).map((c) => c.command).sort();
    expect(declared).toEqual([...slack.registered.commands].sort());
    for (const command of manifest.features.slash_commands ?? []) expect(command.url).toMatch(/\/slack\/events$/);
  });

  it('declares exactly the shortcuts the app registers', () => {
    const declared = (manifest.features.shortcuts ?? []).map((s) => s.callback_id).sort();
    expect(declared).toEqual([...slack.registered.shortcuts].sort());
    expect((manifest.features.shortcuts ?? []).every((s) => s.type === 'message')).toBe(true);
  });

  it('turns interactivity on for the modal and the buttons, at /slack/events', () => {
    expect(slack.registered.views.length + slack.registered.actions.length).toBeGreaterThan(0);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.settings.interactivity.request_url).toMatch(/\/slack\/events$/);
  });

  it('enables the Messages tab, where requester DMs arrive and requesters reply', () => {
    expect(manifest.features.app_home?.messages_tab_enabled).toBe(true);
    expect(manifest.features.app_home?.messages_tab_read_only_enabled).toBe(false);
  });

  it('enables the Home tab, which the app publishes on app_home_opened', () => {
    expect(manifest.features.app_home?.home_tab_enabled).toBe(true);
    expect(slack.registered.events).toContain('app_home_opened');
  });

  it('subscribes to exactly the bot events the app listens for, at /slack/events', () => {
    expect(slack.registered.events.length).toBeGreaterThan(0);
    const declared = [...(manifest.settings.event_subscriptions?.bot_events ?? [])].sort();
    expect(declared).toEqual([...slack.registered.events].sort());
    expect(manifest.settings.event_subscriptions?.request_url).toMatch(/\/slack\/events$/);
  });

  it('has a listener for every button and picker the messages render', () => {
    const rendered = new Set<string>();
    const collect = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(collect);
      else if (value && typeof value === 'object') {
        const record = value as Record<string, unknown>;
        if (typeof record.action_id === 'string') rendered.add(record.action_id);
        Object.values(record).forEach(collect);
      }
    };
    const base = {
      id: 'tkt_1',
      number: 'TKT-0001',
      title: 'T',
      description: null,
      type: 'incident',
      priority: 'high',
      category: null,
      firstResponseAt: null,
      firstResponseDueAt: null,
      dueAt: null,
      resolvedAt: null,
      closedAt: null,
      createdAt: new Date(0),
    } as const;
    for (const status of TICKET_STATUSES) {
      for (const assignee of [null, 'U2']) {
        collect(ticketCard({ ticket: { ...base, status } as never, submitterSlackId: 'U1', assigneeSlackId: assignee, teamName: 'IT' }).blocks);
      }
    }
    for (const kind of ['claimed', 'pending', 'resolved', 'closed', 'reopened'] as const) {
      collect(requesterUpdateDm({ ticket: { ...base, status: 'resolved' } as never, kind, actorSlackId: 'U2', cardPermalink: 'https://x.test/p' }).blocks);
    }
    for (const kind of ['warning', 'breach', 'escalation'] as const) {
      const alert: SlaAlertView = {
        alertId: 'alr_1',
        kind,
        clock: 'resolution',
        sequence: kind === 'escalation' ? 1 : 0,
        escalationMax: 3,
        ticket: base as never,
        assigneeSlackId: null,
        minutes: 5,
        businessTime: false,
        deadlineAt: new Date(0),
        escalationContactSlackIds: ['U3'],
        cardPermalink: 'https://x.test/p',
      };
      collect(slaAlertMessage(alert).blocks);
      collect(slaDigestMessage([alert, alert, alert, alert]).blocks);
    }
    expect(rendered.size).toBeGreaterThan(5);
    for (const actionId of rendered) expect(slack.registered.actions, actionId).toContain(actionId);
  });

  it('requests exactly the bot scopes the code needs', () => {
    const methods = webApiMethodsCalled();
    // The scan must see the calls we know of, or it would prove nothing.
    expect([...methods]).toEqual(expect.arrayContaining(['views.open', 'chat.postMessage', 'chat.update']));
    const needed = new Set(Object.keys(FEATURE_SCOPES));
    for (const method of methods) {
      expect(METHOD_SCOPES, `Web API method ${method} has no scope entry`).toHaveProperty([method]);
      for (const scope of METHOD_SCOPES[method]!) needed.add(scope);
    }
    for (const event of slack.registered.events) {
      expect(EVENT_SCOPES, `bot event ${event} has no scope entry`).toHaveProperty([event]);
      for (const scope of EVENT_SCOPES[event]!) needed.add(scope);
    }
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([...needed].sort());
  });

  it('builds a Socket Mode app (no HTTP route) when an app-level token is given', async () => {
    const socket = createSlackApp({
      db: undefined as unknown as Db,
      botToken: 'xoxb-manifest-test',
      appToken: 'xapp-1-manifest-test',
      apiUrl: fake.url,
      log: createLogger('error', () => {}),
      retryConfig: { retries: 0 },
    });
    // Not started: connecting needs Slack. It registers the same listeners, and serves no route.
    expect(socket.router).toBeUndefined();
    expect(socket.registered).toEqual(slack.registered);
    await socket.idle();
  });

  it('ships in HTTP mode; Socket Mode is a documented switch', () => {
    expect(manifest.settings.socket_mode_enabled).toBe(false);
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain('SLACK_APP_TOKEN');
    expect(readme).toContain('socket_mode_enabled');
  });
});
