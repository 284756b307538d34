import { describe, expect, it } from 'vitest';
import { commentCopy, copyFailedNotice, FILES_NOTE, intakeAnswer, requesterCreatedDm, requesterUpdateDm, threadLine, type CopiedComment, type ThreadLineKind } from '../../../src/slack/blocks/messages.js';
import { checkMessage } from '../../support/block-kit.js';
import { ACTION } from '../../../src/slack/ids.js';
import { buttons, DUE, FIRST_DUE, makeTicket, mrkdwnTexts, ofType } from '../../support/block-fixtures.js';

describe('threadLine', () => {
  const cases: [ThreadLineKind, string | undefined, string][] = [
    ['created', undefined, '<@U1> created this ticket'],
    ['claimed', undefined, '<@U1> claimed this ticket'],
    ['assigned', 'U2', '<@U1> assigned it to <@U2>'],
    ['assigned', undefined, '<@U1> unassigned it'],
    ['status', 'pending', '<@U1> set status to *Pending*'],
    ['status', 'in_progress', '<@U1> set status to *In progress*'],
    ['resolved', undefined, '<@U1> resolved it'],
    ['closed', undefined, '<@U1> closed it'],
    ['reopened', undefined, '<@U1> reopened it'],
    ['updated', 'priority & title', '<@U1> updated priority &amp; title'],
  ];

  it.each(cases)('%s (%s)', (kind, detail, expected) => {
    expect(threadLine({ actorSlackId: 'U1', kind, detail })).toEqual({ text: expected });
  });

  it('names the API when no Slack user acted', () => {
    expect(threadLine({ actorSlackId: null, kind: 'claimed' }).text).toBe('Someone via the API claimed this ticket');
    expect(threadLine({ actorSlackId: null, kind: 'status', detail: 'resolved' }).text).toBe(
      'Someone via the API set status to *Resolved*',
    );
  });
});

describe('requester DMs', () => {
  const permalink = 'https://acme.slack.com/archives/C0123ABCD/p1741078800000100';

  it('confirms a new ticket with its SLA targets and a link', () => {
    const message = requesterCreatedDm({ ticket: makeTicket(), teamName: 'IT Support', cardPermalink: permalink });
    const text = mrkdwnTexts(message.blocks).join('\n');
    expect(message.text).toContain('TKT-0042');
    expect(message.text).toContain('Printer on fire');
    expect(text).toContain(`*First response target*\n<!date^${FIRST_DUE.getTime() / 1000}^`);
    expect(text).toContain(`*Resolution target*\n<!date^${DUE.getTime() / 1000}^`);
    expect(text).toContain('*Team*\nIT Support');
    expect(buttons(message.blocks)).toEqual([
      expect.objectContaining({ action_id: ACTION.openLink, url: permalink, text: expect.objectContaining({ text: 'View ticket' }) }),
    ]);
  });

  it('says when there is no SLA target, and has no link without a permalink', () => {
    const message = requesterCreatedDm({ ticket: makeTicket({ firstResponseDueAt: null, dueAt: null }), teamName: null });
    const text = mrkdwnTexts(message.blocks).join('\n');
    expect(text).toContain('*First response target*\nNo SLA target');
    expect(text).toContain('*Resolution target*\nNo SLA target');
    expect(text).not.toContain('*Team*');
    expect(ofType(message.blocks, 'actions')).toHaveLength(0);
  });

  it.each([
    ['claimed', '<@U0AGENT> is working on *TKT-0042*'],
    ['pending', '<@U0AGENT> needs your input on *TKT-0042*'],
    ['resolved', 'was resolved by <@U0AGENT> — close it if you are happy, or reopen'],
    ['closed', 'was closed by <@U0AGENT>'],
    ['reopened', 'was reopened by <@U0AGENT>'],
  ] as const)('explains a %s update', (kind, phrase) => {
    const message = requesterUpdateDm({ ticket: makeTicket(), kind, actorSlackId: 'U0AGENT' });
    expect(mrkdwnTexts(message.blocks).join()).toContain(phrase);
    expect(message.text).toContain('TKT-0042');
    expect(message.text).toContain('Printer on fire');
    const ids = buttons(message.blocks).map((b) => b.action_id);
    expect(ids).toEqual(kind === 'resolved' ? [ACTION.close, ACTION.reopen] : []);
  });

  it('reads naturally without a Slack actor', () => {
    const claimed = requesterUpdateDm({ ticket: makeTicket(), kind: 'claimed', actorSlackId: null });
    expect(claimed.text).toBe('An agent is working on TKT-0042 · Printer on fire.');
    const closed = requesterUpdateDm({ ticket: makeTicket(), kind: 'closed', actorSlackId: null, cardPermalink: permalink });
    expect(closed.text).toBe('TKT-0042 · Printer on fire was closed.');
    expect(buttons(closed.blocks).map((b) => b.action_id)).toEqual([ACTION.openLink]);
  });
});

describe('commentCopy', () => {
  const ada = { name: 'Ada <Lovelace> & co', slackUserId: 'UADA', iconUrl: 'https://avatars.slack-edge.com/ada_72.png' };
  const slackComment = (text: string, files: Array<{ name: string; permalink: string }> = []): CopiedComment => ({
    body: text,
    text,
    source: 'slack',
    visibility: 'public',
    files,
  });

  it('leads with the escaped name when copies cannot carry an author; the mention when the name is unknown; the API otherwise', () => {
    expect(commentCopy({ comment: slackComment('Hi *there*'), author: ada, customize: false })).toEqual({ text: 'Ada &lt;Lovelace&gt; &amp; co: Hi *there*' });
    expect(commentCopy({ comment: slackComment('Hi'), author: { ...ada, name: null }, customize: true })).toEqual({ text: '<@UADA>: Hi' });
    expect(commentCopy({ comment: slackComment('Hi'), author: { name: null, slackUserId: null, iconUrl: null }, customize: true })).toEqual({
      text: 'Someone via the API: Hi',
    });
  });

  it('carries the author\'s name and avatar with customize, the text alone', () => {
    expect(commentCopy({ comment: slackComment('Hi'), author: ada, customize: true })).toEqual({ text: 'Hi', username: 'Ada <Lovelace> & co', icon_url: ada.iconUrl });
    const long = commentCopy({ comment: slackComment('Hi'), author: { ...ada, name: '😀'.repeat(60), iconUrl: null }, customize: true });
    expect(long.username!.length).toBeLessThanOrEqual(80);
    expect(long).not.toHaveProperty('icon_url');
  });

  it('escapes API Markdown, keeps Slack text but defuses broadcasts, and marks internal notes', () => {
    const api: CopiedComment = { body: '<!here> **x**', text: '<!here> **x**', source: 'api', visibility: 'internal', files: [] };
    expect(commentCopy({ comment: api, author: ada, customize: true }).text).toBe(':lock: _Internal note_ · &lt;!here&gt; **x**');
    expect(commentCopy({ comment: slackComment('<!channel> see <https://kb.example|KB>'), author: ada, customize: true }).text).toBe('@channel see <https://kb.example|KB>');
  });

  it('links files by name, escaped, with the note that not everyone may open them', () => {
    const files = [{ name: 'a <!channel>|b.png', permalink: 'https://x.slack.com/files/U/F1/a.png' }];
    expect(commentCopy({ comment: slackComment('', files), author: ada, customize: true }).text).toBe(
      `:paperclip: <https://x.slack.com/files/U/F1/a.png|a &lt;!channel&gt;|b.png>\n${FILES_NOTE}`,
    );
  });

  it('fits Slack\'s 40,000 characters and passes the Block Kit checks', () => {
    // Slack delivers text escaped: a person's "&" arrives as "&amp;".
    const copy = commentCopy({ comment: slackComment('a &amp; b '.repeat(5_000)), author: ada, customize: false });
    expect(copy.text.length).toBeLessThanOrEqual(40_000);
    expect(copy.text).not.toMatch(/&[a-z]*…$/);
    expect(checkMessage(copy)).toBeUndefined();
  });

  it('tells the agents which side a copy failed to reach', () => {
    expect(copyFailedNotice({ side: 'requester', error: 'is_archived' }).text).toContain("into the requester's thread: Slack answered `is_archived`");
  });
});

describe('intakeAnswer: in the thread of a message a reaction made a ticket', () => {
  it('names the ticket, team, targets, requester and who raised it, with Close; user text escaped', () => {
    const ticket = makeTicket({ title: '<!channel> <https://evil.example|click> & more' });
    const message = intakeAnswer({ ticket, teamName: 'IT <!here>', requesterSlackId: 'U0REQ', raisedBySlackId: 'U0COLL' });
    expect(checkMessage({ channel: 'C1', ...message })).toBeUndefined();
    const text = `${message.text}\n${mrkdwnTexts(message.blocks).join('\n')}`;
    expect(text).toContain('TKT-0042');
    expect(text).toContain('<@U0REQ>');
    expect(text).toContain('raised by <@U0COLL>');
    expect(text).toContain(`*First response target*\n<!date^${FIRST_DUE.getTime() / 1000}^`);
    expect(text).toContain('IT &lt;!here&gt;');
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('<!here>');
    expect(text).not.toContain('<https://evil');
    expect(buttons(message.blocks)).toEqual([expect.objectContaining({ action_id: ACTION.close, value: ticket.id })]);
    // Raised by the author themselves: no "raised by".
    expect(intakeAnswer({ ticket, teamName: null, requesterSlackId: 'U0REQ', raisedBySlackId: 'U0REQ' }).text).not.toContain('raised by');
  });
});
