import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT } from 'jose';
import { afterAll, beforeAll } from 'vitest';
import type { Db } from '../../src/db/client.js';
import { createHttpApp } from '../../src/http/app.js';
import { createAuthenticator } from '../../src/http/auth.js';

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256';

export async function tokenFor(claims: { sub: string; tenant_id: string; app_id?: string }): Promise<string> {
  return new SignJWT(claims)
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
