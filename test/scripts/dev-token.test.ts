import { describe, expect, it } from 'vitest';
import { createAuthenticator } from '../../src/http/auth.js';
import { mintDevToken } from '../../scripts/dev-token.js';

describe('npm run token', () => {
  const secret = 'x'.repeat(40);
  it('mints a token the server accepts, with the claims asked for', async () => {
    const authenticate = createAuthenticator({ jwtSecret: secret });
    const human = await mintDevToken({ secret, tenantId: 'T_LOCAL', sub: 'per_me' });
    expect(await authenticate(`Bearer ${human}`)).toEqual({ tenantId: 'T_LOCAL', personId: 'per_me', appId: null });
    const app = await mintDevToken({ secret, tenantId: 'T_LOCAL', sub: 'per_bot', appId: 'app_x' });
    expect((await authenticate(`Bearer ${app}`)).appId).toBe('app_x');
    const other = await mintDevToken({ secret: 'y'.repeat(40), tenantId: 'T_LOCAL', sub: 'per_me' });
    await expect(authenticate(`Bearer ${other}`)).rejects.toMatchObject({ code: 'invalid_token' });
  });
});
