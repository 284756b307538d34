import { describe, expect, it } from 'vitest';
import { ticketModal } from '../../../src/slack/blocks/form.js';
import { escapeMrkdwn, plainFromMrkdwn, slackDate, truncate } from '../../../src/slack/blocks/text.js';
import { FIRST_DUE } from '../../support/block-fixtures.js';
import { checkView, hasLoneSurrogate } from '../../support/block-kit.js';

describe('text helpers', () => {
  it('escapes the mrkdwn control characters, ampersand first', () => {
    expect(escapeMrkdwn('<script>&amp; a > b <!channel>')).toBe('&lt;script&gt;&amp;amp; a &gt; b &lt;!channel&gt;');
  });

  it('truncates with an ellipsis without splitting a surrogate pair', () => {
    expect(truncate('abcdef', 6)).toBe('abcdef');
    expect(truncate('abcdef', 4)).toBe('abc…');
    const cut = truncate('ab😀cd', 4);
    expect(cut).toBe('ab…');
    expect(cut.length).toBeLessThanOrEqual(4);
  });

  it('cuts whole graphemes only: emoji, flags, skin tones and families at every cut point', () => {
    const text = `a😀b🇩🇪c👍🏽d👨‍👩‍👧‍👦e${'é'.normalize('NFD')}f`;
    const graphemes = [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)].map((g) => g.segment);
    for (let max = 1; max <= text.length; max += 1) {
      const cut = truncate(text, max);
      expect(cut.length, `max ${max}`).toBeLessThanOrEqual(max);
      expect(hasLoneSurrogate(cut), `max ${max}`).toBe(false);
      const kept = cut.endsWith('…') && cut !== text ? cut.slice(0, -1) : cut;
      // What is kept is a run of whole graphemes from the start.
      let joined = '';
      for (const g of graphemes) {
        if (joined.length >= kept.length) break;
        joined += g;
      }
      expect(joined, `max ${max}`).toBe(kept);
    }
  });

  it('cuts where segmenting the whole text would, however long the text and whatever precedes the cut', () => {
    const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
    const reference = (text: string, max: number) => {
      let end = 0;
      for (const { segment } of segmenter.segment(text)) {
        if (end + segment.length > max - 1) break;
        end += segment.length;
      }
      return `${text.slice(0, end)}…`;
    };
    // Runs with no ASCII in between (flag pairs, families, skin tones, combining marks, Hangul), and CR LF.
    const text = `x${'🇩🇪🇫🇷🇯'.repeat(5)}${'👨‍👩‍👧‍👦👍🏽'.repeat(4)}\r\n\r\n${'e\u0301\u0302'.repeat(6)}${'\u1100\u1161\u11a8'.repeat(5)}🇩${'é'.repeat(3)}\r\ny`;
    for (let max = 1; max < text.length; max += 1) expect(truncate(text, max), `max ${max}`).toBe(reference(text, max));
  });

  it('repairs text that arrives already broken (a lone surrogate) instead of sending it on', () => {
    const broken = 'ab\uD83D';
    expect(hasLoneSurrogate(truncate(broken, 10))).toBe(false);
    expect(hasLoneSurrogate(escapeMrkdwn(broken))).toBe(false);
    const view = ticketModal({ teams: [], initial: { title: broken, description: `x${broken}` } });
    expect(checkView(view)).toBeUndefined();
  });

  it('renders dates for the reader with the unix seconds and a UTC fallback', () => {
    expect(slackDate(new Date('2025-03-04T13:30:00.999Z'))).toBe(
      `<!date^1741095000^{date_short_pretty} at {time}|2025-03-04T13:30:00Z>`,
    );
    expect(slackDate(FIRST_DUE, '{date_long}')).toBe('<!date^1741095000^{date_long}|2025-03-04T13:30:00Z>');
  });
});

describe('plainFromMrkdwn: a message as Slack sends it, in plain words', () => {
  it('turns mentions, channels, broadcasts and links into words and decodes the entities', () => {
    expect(plainFromMrkdwn('<@U123> and <@U456|ada> in <#C1|it-help> or <#C2>')).toBe('@U123 and @ada in #it-help or #C2');
    expect(plainFromMrkdwn('<!channel> <!here|here> <!subteam^S1|@oncall> <!date^1700000000^{date}|Nov 14>')).toBe('@channel here @oncall Nov 14');
    expect(plainFromMrkdwn('see <https://kb.example/x|the KB> or <https://kb.example/y> or <mailto:a@b.c|a@b.c>')).toBe(
      'see the KB (https://kb.example/x) or https://kb.example/y or a@b.c (mailto:a@b.c)',
    );
    expect(plainFromMrkdwn('a &lt;b&gt; &amp;amp; c')).toBe('a <b> &amp; c');
  });

  it('comes back escaped, inert, when shown in mrkdwn again', () => {
    const shown = escapeMrkdwn(plainFromMrkdwn('&lt;!channel&gt; <!everyone>'));
    expect(shown).toBe('&lt;!channel&gt; @everyone');
  });
});
