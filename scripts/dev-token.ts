import { parseArgs } from 'node:util';
import { SignJWT } from 'jose';
import { INTEGRATION_SCOPES, type IntegrationScope } from '../src/domain/roles.js';

const HELP = `Mints an HS256 bearer token for the REST API (JWT_SECRET from the environment or .env).

A person (a human token: acts with that person's roles: admin, agent, requester):
  npm run -s token -- --tenant T0123 --slack-user U0123ABCD
  npm run -s token -- --tenant T0123 --person per_01J...

An integration (an app: what it may do is its scopes, by default all three):
  npm run -s token -- --tenant T0123 --app app_jira [--scope "helpdesk:read helpdesk:write"]

Options:
  --tenant <id>        the workspace (tenant_id claim; default T_LOCAL)
  --slack-user <id>    sub: a Slack user id; the token acts as that user's person
  --person <id>        sub: a person id (--sub is the same; default per_local_admin)
  --app <id>           app_id: an integration token instead of a person's
  --scope "<scopes>"   an integration's scopes, space-separated: ${INTEGRATION_SCOPES.join(', ')}
  --hours <n>          lifetime (default 8)
  --help               this text
`;

/** Every scope, as an integration token gets unless told otherwise. */
export const DEFAULT_SCOPES: readonly IntegrationScope[] = INTEGRATION_SCOPES;

/**
 * Signs a token. Without `appId` it is a person's token (`sub` a person id or a Slack user
 * id); with it, an integration's, carrying `scopes` as its OAuth-style `scope` claim.
 */
export async function mintDevToken(options: {
  secret: string;
  tenantId: string;
  sub: string;
  appId?: string | undefined;
  scopes?: readonly IntegrationScope[] | undefined;
  hours?: number;
}): Promise<string> {
  const integration = options.appId ? { app_id: options.appId, scope: (options.scopes ?? DEFAULT_SCOPES).join(' ') } : {};
  return new SignJWT({ tenant_id: options.tenantId, ...integration })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(options.sub)
    .setIssuedAt()
    .setExpirationTime(`${options.hours ?? 8}h`)
    .sign(new TextEncoder().encode(options.secret));
}

/** The command line as token options; a usage error is thrown as a message for the user. */
export function parseTokenArgs(args: string[]): { help: true } | { help: false; tenantId: string; sub: string; appId?: string; scopes?: IntegrationScope[]; hours: number } {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      tenant: { type: 'string', default: 'T_LOCAL' },
      'slack-user': { type: 'string' },
      person: { type: 'string' },
      sub: { type: 'string' },
      app: { type: 'string' },
      scope: { type: 'string' },
      hours: { type: 'string', default: '8' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return { help: true };
  const subjects = [values['slack-user'], values.person, values.sub].filter((v) => v !== undefined);
  if (subjects.length > 1) throw new Error('Give one of --slack-user, --person (or --sub)');
  if (values['slack-user'] !== undefined && !/^[UW][A-Z0-9]{2,}$/.test(values['slack-user'])) {
    throw new Error(`--slack-user takes a Slack user id such as U0123ABCD, not "${values['slack-user']}"`);
  }
  if (values.scope !== undefined && values.app === undefined) throw new Error('--scope is for integration tokens: give --app too');
  let scopes: IntegrationScope[] | undefined;
  if (values.scope !== undefined) {
    const asked = values.scope.split(/\s+/).filter(Boolean);
    const unknown = asked.filter((s) => !(INTEGRATION_SCOPES as readonly string[]).includes(s));
    if (unknown.length > 0) throw new Error(`Unknown scope ${unknown.join(', ')}; the scopes are ${INTEGRATION_SCOPES.join(', ')}`);
    if (asked.length === 0) throw new Error(`--scope needs at least one of ${INTEGRATION_SCOPES.join(', ')}`);
    scopes = [...new Set(asked)] as IntegrationScope[];
  }
  const hours = Number(values.hours);
  if (!Number.isFinite(hours) || hours <= 0) throw new Error('--hours takes a positive number');
  return {
    help: false,
    tenantId: values.tenant!,
    sub: subjects[0] ?? (values.app ? values.app : 'per_local_admin'),
    ...(values.app !== undefined ? { appId: values.app } : {}),
    ...(scopes ? { scopes } : {}),
    hours,
  };
}

async function main(): Promise<void> {
  try {
    process.loadEnvFile('.env');
  } catch {
    // no .env: the environment alone
  }
  let parsed: ReturnType<typeof parseTokenArgs>;
  try {
    parsed = parseTokenArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${HELP}`);
    process.exit(2);
  }
  if (parsed.help) {
    process.stdout.write(HELP);
    return;
  }
  const secret = process.env.JWT_SECRET;
  if (!secret) {
    process.stderr.write('JWT_SECRET is not set (export it, or put it in .env)\n');
    process.exit(1);
  }
  process.stdout.write(`${await mintDevToken({ secret, ...parsed })}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
