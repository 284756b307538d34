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
    });
    expect(config).toMatchObject({
      nodeEnv: 'production',
      databaseUrl: 'postgresql://u:p@db:5432/helpdesk',
      dataDir: '/var/lib/helpdesk',
      databasePoolMax: 25,
      port: 8080,
      logLevel: 'debug',
    });
  });

  it('names every bad variable and what is wrong with it, one line each', () => {
    let error: unknown;
    try {
      loadConfig({ DATABASE_URL: 'mysql://nope', PORT: '80a', LOG_LEVEL: 'loud', DATABASE_POOL_MAX: '0' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(4);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^DATABASE_URL is "mysql:\/\/nope": .*postgres/),
        expect.stringMatching(/^PORT is "80a": must be a whole number/),
        expect.stringMatching(/^LOG_LEVEL is "loud": /),
        expect.stringMatching(/^DATABASE_POOL_MAX is "0": must be at least 1/),
      ]),
    );
  });
});
