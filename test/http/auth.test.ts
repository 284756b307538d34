import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as jose from 'jose';
import { AuthError, createAuthenticator, wwwAuthenticate, type AuthErrorCode } from '../../src/http/auth.js';

const SECRET = 'test-secret-that-is-at-least-32-bytes-long!';
const secretKey = new TextEncoder().encode(SECRET);

type Claims = Record<string, unknown>;
const baseClaims: Claims = { sub: 'person-1', tenant_id: 'tenant-1' };

function hs256(claims: Claims = baseClaims, key: Uint8Array = secretKey, expiresIn: string | number = '5m') {
  return new jose.SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(key);
}

async function expectAuthError(promise: Promise<unknown>, code: AuthErrorCode): Promise<AuthError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AuthError);
  expect((error as AuthError).code).toBe(code);
  return error as AuthError;
}

let server: Server;
let jwksUrl: string;
let rsaPrivate: jose.CryptoKey;
let ecPrivate: jose.CryptoKey;
let strangerPrivate: jose.CryptoKey;

beforeAll(async () => {
  const rsa = await jose.generateKeyPair('RS256');
  const ec = await jose.generateKeyPair('ES256');
  const stranger = await jose.generateKeyPair('RS256');
  rsaPrivate = rsa.privateKey;
  ecPrivate = ec.privateKey;
  strangerPrivate = stranger.privateKey;
  const keys = [
    { ...(await jose.exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
    { ...(await jose.exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
  ];
  server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
});

afterAll(async () => {
  await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
});

function signWith(key: jose.CryptoKey, alg: 'RS256' | 'ES256', kid: string, claims: Claims = baseClaims) {
  return new jose.SignJWT(claims)
    .setProtectedHeader({ alg, kid, typ: 'JWT' })
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(key);
}

describe('createAuthenticator with an HS256 secret', () => {
  const authenticate = createAuthenticator({ jwtSecret: SECRET });

  it('returns the principal, with appId null when app_id is absent', async () => {
    await expect(authenticate(`Bearer ${await hs256()}`)).resolves.toEqual({
      tenantId: 'tenant-1',
      personId: 'person-1',
      appId: null,
    });
  });

  it('sets appId from app_id, with no scopes when the token carries no scope claim', async () => {
    const token = await hs256({ ...baseClaims, app_id: 'app-9' });
    await expect(authenticate(`Bearer ${token}`)).resolves.toEqual({
      tenantId: 'tenant-1',
      personId: 'person-1',
      appId: 'app-9',
      scopes: [],
    });
  });

  it('reads an integration token’s space-separated scope claim, ignoring unknown scopes and human tokens’ scope', async () => {
    const scoped = await hs256({ ...baseClaims, app_id: 'app-9', scope: ' helpdesk:write  openid helpdesk:read helpdesk:write' });
    expect((await authenticate(`Bearer ${scoped}`)).scopes).toEqual(['helpdesk:write', 'helpdesk:read']);
    const human = await hs256({ ...baseClaims, scope: 'helpdesk:admin' });
    expect(await authenticate(`Bearer ${human}`)).toEqual({ tenantId: 'tenant-1', personId: 'person-1', appId: null });
    await expectAuthError(authenticate(`Bearer ${await hs256({ ...baseClaims, app_id: 'app-9', scope: ['helpdesk:read'] })}`), 'invalid_token');
  });

  it('rejects an expired token as expired_token', async () => {
    const token = await hs256(baseClaims, secretKey, Math.floor(Date.now() / 1000) - 60);
    await expectAuthError(authenticate(`Bearer ${token}`), 'expired_token');
  });

  it('rejects a token signed with another secret', async () => {
    const token = await hs256(baseClaims, new TextEncoder().encode('some-other-secret-that-is-32-bytes!!'));
    await expectAuthError(authenticate(`Bearer ${token}`), 'invalid_token');
  });

  it('rejects an unsigned alg:none token', async () => {
    const enc = (o: object) => jose.base64url.encode(JSON.stringify(o));
    const now = Math.floor(Date.now() / 1000);
    const token = `${enc({ alg: 'none', typ: 'JWT' })}.${enc({ ...baseClaims, iat: now, exp: now + 300 })}.`;
    await expectAuthError(authenticate(`Bearer ${token}`), 'invalid_token');
  });

  it('rejects a missing header, another scheme and an empty token as missing_token', async () => {
    await expectAuthError(authenticate(undefined), 'missing_token');
    await expectAuthError(authenticate(''), 'missing_token');
    await expectAuthError(authenticate(`Basic ${Buffer.from('a:b').toString('base64')}`), 'missing_token');
    await expectAuthError(authenticate('Bearer'), 'missing_token');
    await expectAuthError(authenticate('Bearer    '), 'missing_token');
  });

  it('rejects a token without tenant_id or sub as missing_claims', async () => {
    await expectAuthError(authenticate(`Bearer ${await hs256({ sub: 'person-1' })}`), 'missing_claims');
    await expectAuthError(authenticate(`Bearer ${await hs256({ tenant_id: 'tenant-1' })}`), 'missing_claims');
    await expectAuthError(authenticate(`Bearer ${await hs256({ sub: '', tenant_id: 'tenant-1' })}`), 'missing_claims');
  });

  it('rejects an empty app_id: a key must name its app or be a person', async () => {
    await expectAuthError(authenticate(`Bearer ${await hs256({ ...baseClaims, app_id: '' })}`), 'missing_claims');
    await expectAuthError(authenticate(`Bearer ${await hs256({ ...baseClaims, app_id: 7 })}`), 'missing_claims');
  });

  it('bounds identity claims: 128 printable characters, storable text', async () => {
    const ok = await authenticate(`Bearer ${await hs256({ sub: 'p'.repeat(128), tenant_id: 'T'.repeat(128), app_id: 'a'.repeat(128) })}`);
    expect(ok).toEqual({ personId: 'p'.repeat(128), tenantId: 'T'.repeat(128), appId: 'a'.repeat(128), scopes: [] });
    for (const claims of [
      { sub: 'p'.repeat(129), tenant_id: 'tenant-1' },
      { sub: 'person-1', tenant_id: 'T'.repeat(5000) },
      { ...baseClaims, app_id: 'a'.repeat(129) },
      { sub: 'per\u0000son', tenant_id: 'tenant-1' },
      { sub: 'person-1', tenant_id: 'tenant\n1' },
      { sub: 'person-1', tenant_id: '\ud800' },
    ]) {
      const error = await expectAuthError(authenticate(`Bearer ${await hs256(claims)}`), 'invalid_token');
      expect(error.message).toMatch(/claim must be at most 128 printable characters/);
    }
  });

  it('rejects a garbage token', async () => {
    await expectAuthError(authenticate('Bearer abc.def'), 'invalid_token');
  });

  it('never echoes the token in the error message', async () => {
    const token = await hs256(baseClaims, new TextEncoder().encode('some-other-secret-that-is-32-bytes!!'));
    const error = await expectAuthError(authenticate(`Bearer ${token}`), 'invalid_token');
    expect(error.message).not.toContain(token);
    expect(wwwAuthenticate(error)).not.toContain(token);
  });
});

describe('createAuthenticator with issuer and audience', () => {
  const authenticate = createAuthenticator({ jwtSecret: SECRET, issuer: 'https://idp.test', audience: 'helpdesk-api' });

  function withIssAud(iss: string, aud: string) {
    return new jose.SignJWT(baseClaims)
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(iss)
      .setAudience(aud)
      .setExpirationTime('5m')
      .sign(secretKey);
  }

  it('accepts matching issuer and audience', async () => {
    const token = await withIssAud('https://idp.test', 'helpdesk-api');
    await expect(authenticate(`Bearer ${token}`)).resolves.toMatchObject({ tenantId: 'tenant-1' });
  });

  it('rejects a wrong issuer or audience as invalid_token', async () => {
    await expectAuthError(authenticate(`Bearer ${await withIssAud('https://evil.test', 'helpdesk-api')}`), 'invalid_token');
    await expectAuthError(authenticate(`Bearer ${await withIssAud('https://idp.test', 'other-api')}`), 'invalid_token');
    await expectAuthError(authenticate(`Bearer ${await hs256()}`), 'invalid_token');
  });
});

describe('createAuthenticator with a JWKS', () => {
  const jwksOnly = () => createAuthenticator({ jwksUrl });

  it('accepts RS256 and ES256 tokens signed by keys in the set', async () => {
    const authenticate = jwksOnly();
    const rs = await signWith(rsaPrivate, 'RS256', 'rsa-1', { ...baseClaims, app_id: 'app-1' });
    const es = await signWith(ecPrivate, 'ES256', 'ec-1');
    await expect(authenticate(`Bearer ${rs}`)).resolves.toEqual({
      tenantId: 'tenant-1',
      personId: 'person-1',
      appId: 'app-1',
      scopes: [],
    });
    await expect(authenticate(`Bearer ${es}`)).resolves.toEqual({
      tenantId: 'tenant-1',
      personId: 'person-1',
      appId: null,
    });
  });

  it('rejects a token signed by a key not in the set', async () => {
    const authenticate = jwksOnly();
    await expectAuthError(authenticate(`Bearer ${await signWith(strangerPrivate, 'RS256', 'rsa-1')}`), 'invalid_token');
    await expectAuthError(authenticate(`Bearer ${await signWith(strangerPrivate, 'RS256', 'unknown')}`), 'invalid_token');
  });

  it('rejects an HS256 token when only a JWKS is configured (no algorithm confusion)', async () => {
    await expectAuthError(jwksOnly()(`Bearer ${await hs256()}`), 'invalid_token');
  });

  it('picks the verifier by alg when both a secret and a JWKS are configured', async () => {
    const authenticate = createAuthenticator({ jwtSecret: SECRET, jwksUrl });
    await expect(authenticate(`Bearer ${await hs256()}`)).resolves.toMatchObject({ personId: 'person-1' });
    await expect(authenticate(`Bearer ${await signWith(ecPrivate, 'ES256', 'ec-1')}`)).resolves.toMatchObject({
      personId: 'person-1',
    });
    const wrongSecret = await hs256(baseClaims, new TextEncoder().encode('some-other-secret-that-is-32-bytes!!'));
    await expectAuthError(authenticate(`Bearer ${wrongSecret}`), 'invalid_token');
  });
});

describe('createAuthenticator without verification configured', () => {
  it('refuses every token', async () => {
    const error = await expectAuthError(createAuthenticator({})(`Bearer ${await hs256()}`), 'invalid_token');
    expect(error.message).toMatch(/no JWT verification configured/);
    await expectAuthError(createAuthenticator({ jwtSecret: '', jwksUrl: '' })(undefined), 'invalid_token');
  });
});

describe('wwwAuthenticate', () => {
  it('gives the bare challenge for a missing token', async () => {
    const error = await expectAuthError(createAuthenticator({ jwtSecret: SECRET })(undefined), 'missing_token');
    expect(wwwAuthenticate(error)).toBe('Bearer realm="helpdesk"');
  });

  it('reports an expired token as invalid_token with a description', async () => {
    const token = await hs256(baseClaims, secretKey, Math.floor(Date.now() / 1000) - 60);
    const error = await expectAuthError(createAuthenticator({ jwtSecret: SECRET })(`Bearer ${token}`), 'expired_token');
    expect(wwwAuthenticate(error)).toBe(
      'Bearer realm="helpdesk", error="invalid_token", error_description="The access token has expired"',
    );
  });
});
