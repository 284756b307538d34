import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

describe('loadConfig', () => {
  it('gives the embedded defaults for an empty environment', () => {
    expect(loadConfig({})).toEqual({
      nodeEnv: 'development',
      databaseUrl: undefined,
      dataDir: './.data',
      databasePoolMax: 10,
      port: 3000,
      logLevel: 'info',
      slaSweepCron: '* * * * *',
      jwt: {},
    });
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', PORT: ' ' }).databaseUrl).toBeUndefined();
    expect(loadConfig({ PORT: '' }).port).toBe(3000);
  });

  it('reads every variable', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      DATABASE_URL: 'postgresql://u:p@db:5432/helpdesk',
      DATA_DIR: '/var/lib/helpdesk',
      DATABASE_POOL_MAX: '25',
      PORT: '8080',
      LOG_LEVEL: 'debug',
      JWT_SECRET: 'a'.repeat(32),
      JWT_JWKS_URL: 'https://idp.example.com/.well-known/jwks.json',
      JWT_ISSUER: 'https://idp.example.com/',
      JWT_AUDIENCE: 'helpdesk',
    });
    expect(config).toMatchObject({
      nodeEnv: 'production',
      databaseUrl: 'postgresql://u:p@db:5432/helpdesk',
      dataDir: '/var/lib/helpdesk',
      databasePoolMax: 25,
      port: 8080,
      logLevel: 'debug',
      jwt: {
        secret: 'a'.repeat(32),
        jwksUrl: 'https://idp.example.com/.well-known/jwks.json',
        issuer: 'https://idp.example.com/',
        audience: 'helpdesk',
      },
    });
  });

  it('names every bad variable and what is wrong with it, one line each', () => {
    let error: unknown;
    try {
      loadConfig({ DATABASE_URL: 'mysql://nope', PORT: '80a', LOG_LEVEL: 'loud', DATABASE_POOL_MAX: '0', JWT_SECRET: 'short' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(5);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^DATABASE_URL is "mysql:\/\/nope": .*postgres/),
        expect.stringMatching(/^PORT is "80a": must be a whole number/),
        expect.stringMatching(/^LOG_LEVEL is "loud": /),
        expect.stringMatching(/^DATABASE_POOL_MAX is "0": must be at least 1/),
        expect.stringMatching(/^JWT_SECRET is "short": must be at least 32 characters/),
      ]),
    );
  });
});
