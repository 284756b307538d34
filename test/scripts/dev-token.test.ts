import { describe, expect, it } from 'vitest';
import { createAuthenticator } from '../../src/http/auth.js';
import { mintDevToken, parseTokenArgs } from '../../scripts/dev-token.js';

describe('npm run token', () => {
  const secret = 'x'.repeat(40);
  const authenticate = createAuthenticator({ jwtSecret: secret });
  const mint = async (args: string[]) => {
    const parsed = parseTokenArgs(args);
    if (parsed.help) throw new Error('help');
    return authenticate(`Bearer ${await mintDevToken({ secret, ...parsed })}`);
  };

  it('mints a token the server accepts, with the claims asked for', async () => {
    const human = await mintDevToken({ secret, tenantId: 'T_LOCAL', sub: 'per_me' });
    expect(await authenticate(`Bearer ${human}`)).toEqual({ tenantId: 'T_LOCAL', personId: 'per_me', appId: null });
    const app = await mintDevToken({ secret, tenantId: 'T_LOCAL', sub: 'per_bot', appId: 'app_x' });
    expect(await authenticate(`Bearer ${app}`)).toMatchObject({ appId: 'app_x', scopes: ['helpdesk:read', 'helpdesk:write', 'helpdesk:admin'] });
    const other = await mintDevToken({ secret: 'y'.repeat(40), tenantId: 'T_LOCAL', sub: 'per_me' });
    await expect(authenticate(`Bearer ${other}`)).rejects.toMatchObject({ code: 'invalid_token' });
  });

  it('mints human tokens for a person or a Slack user, and integration tokens with the scopes asked for', async () => {
    expect(await mint(['--tenant', 'T0123', '--slack-user', 'U0ADA0001'])).toEqual({ tenantId: 'T0123', personId: 'U0ADA0001', appId: null });
    expect(await mint(['--person', 'per_01'])).toEqual({ tenantId: 'T_LOCAL', personId: 'per_01', appId: null });
    expect(await mint(['--sub', 'per_02'])).toMatchObject({ personId: 'per_02', appId: null });
    expect(await mint([])).toMatchObject({ personId: 'per_local_admin', appId: null });
    expect(await mint(['--app', 'app_jira'])).toEqual({
      tenantId: 'T_LOCAL',
      personId: 'app_jira',
      appId: 'app_jira',
      scopes: ['helpdesk:read', 'helpdesk:write', 'helpdesk:admin'],
    });
    expect(await mint(['--app', 'app_jira', '--scope', 'helpdesk:read  helpdesk:write'])).toMatchObject({ scopes: ['helpdesk:read', 'helpdesk:write'] });
    expect(parseTokenArgs(['--help'])).toEqual({ help: true });
  });

  it('refuses what it cannot mint, saying why', () => {
    expect(() => parseTokenArgs(['--app', 'a', '--scope', 'helpdesk:read tickets:write'])).toThrow(/Unknown scope tickets:write/);
    expect(() => parseTokenArgs(['--app', 'a', '--scope', ' '])).toThrow(/at least one/);
    expect(() => parseTokenArgs(['--scope', 'helpdesk:read'])).toThrow(/give --app/);
    expect(() => parseTokenArgs(['--slack-user', 'ada'])).toThrow(/Slack user id/);
    expect(() => parseTokenArgs(['--slack-user', 'U0ADA0001', '--person', 'per_1'])).toThrow(/one of/);
    expect(() => parseTokenArgs(['--hours', 'soon'])).toThrow(/positive/);
    expect(() => parseTokenArgs(['--colour', 'red'])).toThrow();
  });
});
