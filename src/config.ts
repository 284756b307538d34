import { validateDetailed } from 'node-cron';
import { z } from 'zod';

/**
 * Every environment variable the product reads, parsed once at start-up.
 * A bad value stops start-up with one line per variable naming what is wrong.
 */
const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const integer = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`))
    .optional();

/** The SLA sweep runs every minute unless told otherwise. */
export const DEFAULT_SLA_SWEEP_CRON = '* * * * *';

/** A node-cron expression: 5 fields, or 6 with seconds first; the message names the bad field. */
const cronExpression = z.string().superRefine((expression, ctx) => {
  const checked = validateDetailed(expression.trim());
  if (checked.valid) return;
  const detail = checked.errors.map((e) => (e.field === 'expression' ? e.message : `${e.field}: ${e.message}`)).join('; ');
  ctx.addIssue({
    code: 'custom',
    message: `must be a cron expression, 5 fields (minute hour day month weekday) or 6 with seconds first (${detail || 'unparseable'})`,
  });
});

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DATABASE_URL: optionalString.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\/.+/, 'must be a postgres:// or postgresql:// connection URL')
      .optional(),
  ),
  DATA_DIR: optionalString.pipe(z.string().default('./.data')),
  DATABASE_POOL_MAX: optionalString.pipe(integer(1, 1000).default(10)),
  PORT: optionalString.pipe(integer(0, 65535).default(3000)),
  LOG_LEVEL: optionalString.pipe(z.enum(['debug', 'info', 'warn', 'error']).default('info')),
  JWT_SECRET: optionalString.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
  JWT_JWKS_URL: optionalString.pipe(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional()),
  JWT_ISSUER: optionalString,
  JWT_AUDIENCE: optionalString,
  SLACK_SIGNING_SECRET: optionalString,
  SLACK_BOT_TOKEN: optionalString.pipe(z.string().startsWith('xoxb-', 'must be a bot token (xoxb-...)').optional()),
  SLACK_APP_TOKEN: optionalString.pipe(z.string().startsWith('xapp-', 'must be an app-level token (xapp-...)').optional()),
  SLA_SWEEP_CRON: optionalString.pipe(cronExpression.default(DEFAULT_SLA_SWEEP_CRON)),
  SLACK_API_URL: optionalString.pipe(
    z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
      .transform((url) => (url.endsWith('/') ? url : `${url}/`))
      .optional(),
  ),
});

/** The variables that turn the Slack app on, for the start-up message. */
export const SLACK_VARIABLES = 'SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (HTTP mode), or SLACK_BOT_TOKEN and SLACK_APP_TOKEN (Socket Mode)';

export type Config = {
  nodeEnv: 'development' | 'production' | 'test';
  databaseUrl: string | undefined;
  dataDir: string;
  databasePoolMax: number;
  port: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  jwt: { secret?: string; jwksUrl?: string; issuer?: string; audience?: string };
  /** When the SLA sweep runs: a node-cron expression, evaluated in UTC. */
  slaSweepCron: string;
  /** Undefined when Slack is not configured: the API still runs. */
  slack:
    | { botToken: string; signingSecret: string | undefined; appToken: string | undefined; apiUrl: string | undefined }
    | undefined;
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const variable = String(issue.path[0] ?? '(environment)');
      const value = env[variable];
      const shown = value === undefined ? 'is missing' : `is ${JSON.stringify(value)}`;
      return `${variable} ${shown}: ${issue.message}`;
    });
    throw new ConfigError(problems);
  }
  const e = parsed.data;
  const slackProblems: string[] = [];
  const anySlack = e.SLACK_BOT_TOKEN || e.SLACK_SIGNING_SECRET || e.SLACK_APP_TOKEN;
  if (anySlack && !e.SLACK_BOT_TOKEN) slackProblems.push('SLACK_BOT_TOKEN is missing: the Slack app needs its bot token (xoxb-...)');
  if (e.SLACK_BOT_TOKEN && !e.SLACK_APP_TOKEN && !e.SLACK_SIGNING_SECRET) {
    slackProblems.push('SLACK_SIGNING_SECRET is missing: HTTP mode verifies every Slack request with it (or set SLACK_APP_TOKEN for Socket Mode)');
  }
  if (slackProblems.length) throw new ConfigError(slackProblems);
  return {
    nodeEnv: e.NODE_ENV,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    databasePoolMax: e.DATABASE_POOL_MAX,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    slaSweepCron: e.SLA_SWEEP_CRON.trim(),
    jwt: {
      ...(e.JWT_SECRET ? { secret: e.JWT_SECRET } : {}),
      ...(e.JWT_JWKS_URL ? { jwksUrl: e.JWT_JWKS_URL } : {}),
      ...(e.JWT_ISSUER ? { issuer: e.JWT_ISSUER } : {}),
      ...(e.JWT_AUDIENCE ? { audience: e.JWT_AUDIENCE } : {}),
    },
    slack: e.SLACK_BOT_TOKEN
      ? { botToken: e.SLACK_BOT_TOKEN, signingSecret: e.SLACK_SIGNING_SECRET, appToken: e.SLACK_APP_TOKEN, apiUrl: e.SLACK_API_URL }
      : undefined,
  };
}
