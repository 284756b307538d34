import { parseArgs } from 'node:util';
import { SignJWT } from 'jose';

/**
 * Mints an HS256 bearer token for trying the REST API locally:
 *   JWT_SECRET=... npm run token -- --tenant T0123 --sub per_me [--app app_x] [--hours 8]
 */
export async function mintDevToken(options: {
  secret: string;
  tenantId: string;
  sub: string;
  appId?: string | undefined;
  hours?: number;
}): Promise<string> {
  return new SignJWT({ tenant_id: options.tenantId, ...(options.appId ? { app_id: options.appId } : {}) })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(options.sub)
    .setIssuedAt()
    .setExpirationTime(`${options.hours ?? 8}h`)
    .sign(new TextEncoder().encode(options.secret));
}

async function main(): Promise<void> {
  try {
    process.loadEnvFile('.env');
  } catch {
    // no .env: the environment alone
  }
  const { values } = parseArgs({
    options: {
      tenant: { type: 'string', default: 'T_LOCAL' },
      sub: { type: 'string', default: 'per_local_admin' },
      app: { type: 'string' },
      hours: { type: 'string', default: '8' },
    },
  });
  const secret = process.env.JWT_SECRET;
  if (!secret) {
    process.stderr.write('JWT_SECRET is not set (export it, or put it in .env)\n');
    process.exit(1);
  }
  process.stdout.write(
    `${await mintDevToken({ secret, tenantId: values.tenant!, sub: values.sub!, appId: values.app, hours: Number(values.hours) })}\n`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
