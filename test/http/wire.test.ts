import { describe, expect, it } from 'vitest';
import { etagOf, versionFromIfMatch } from '../../src/http/wire.js';

describe('versionFromIfMatch', () => {
  it('reads our ETags, weak or strong', () => {
    const etag = etagOf({ id: 'tkt_01J0000000000000000000000', revision: 3 });
    expect(versionFromIfMatch(etag)).toEqual({ expectedId: 'tkt_01J0000000000000000000000', expectedRevision: 3 });
    expect(versionFromIfMatch(etag.slice(2))).toEqual({ expectedId: 'tkt_01J0000000000000000000000', expectedRevision: 3 });
  });

  it('takes * as any current version (RFC 9110), and no header as no condition', () => {
    expect(versionFromIfMatch('*')).toBe('any');
    expect(versionFromIfMatch(' * ')).toBe('any');
    expect(versionFromIfMatch(undefined)).toBeUndefined();
  });

  it('finds anything else unmatchable', () => {
    for (const header of ['', '"nope"', '**', 'W/"x.y"', '"a.1", "b.2"']) expect(versionFromIfMatch(header), header).toBe('unmatchable');
  });
});
