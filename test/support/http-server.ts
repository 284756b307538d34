import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT } from 'jose';
import { afterAll, beforeAll } from 'vitest';
import type { Db } from '../../src/db/client.js';
import { API_PREFIX, createHttpApp } from '../../src/http/app.js';
import { createAuthenticator } from '../../src/http/auth.js';

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256';

/** Every scope an integration token can carry, as `npm run token` grants by default. */
export const ALL_SCOPES = 'helpdesk:read helpdesk:write helpdesk:admin';

/**
 * A signed token. An integration token (`app_id`) carries every scope unless `scope` says
 * otherwise (`null`: no `scope` claim at all, as tokens minted before scopes existed).
 */
export async function tokenFor(claims: { sub: string; tenant_id: string; app_id?: string; scope?: string | null }): Promise<string> {
  const { scope, ...rest } = claims;
  const scoped = scope === null ? {} : scope !== undefined ? { scope } : claims.app_id !== undefined ? { scope: ALL_SCOPES } : {};
  return new SignJWT({ ...rest, ...scoped })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(TEST_JWT_SECRET));
}

/**
 * The real HTTP app on 127.0.0.1 for the suite (started in beforeAll, closed in
 * afterAll); `baseUrl()` is its origin.
 */
export function serveApiDuringSuite(db: () => Db): { baseUrl: () => string } {
  let server: Server | undefined;
  let origin = '';
  beforeAll(async () => {
    const app = createHttpApp({ db: db(), authenticate: createAuthenticator({ jwtSecret: TEST_JWT_SECRET }) });
    server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  });
  return { baseUrl: () => origin };
}

/**
 * A human token for `sub`, made a helpdesk admin of the tenant first: an integration token
 * with `helpdesk:admin` adds `sub` to the tenant's `admin_ids`, as an operator bootstraps a desk.
 */
export async function adminTokenFor(baseUrl: string, tenantId: string, sub = 'per_admin'): Promise<string> {
  const operator = await tokenFor({ sub: 'per_operator', tenant_id: tenantId, app_id: 'app_setup', scope: 'helpdesk:read helpdesk:admin' });
  const headers = { authorization: `Bearer ${operator}`, 'content-type': 'application/json' };
  const current = (await (await fetch(`${baseUrl}${API_PREFIX}/settings`, { headers })).json()) as { admin_ids: string[] };
  const response = await fetch(`${baseUrl}${API_PREFIX}/settings`, {
    method: 'PUT',
    headers,
    body: JSON.stringify({ admin_ids: [...current.admin_ids, sub] }),
  });
  if (!response.ok) throw new Error(`could not make ${sub} an admin: ${response.status} ${await response.text()}`);
  return tokenFor({ sub, tenant_id: tenantId });
}
