import { sql } from 'drizzle-orm';
import { describe, expect, inject, it } from 'vitest';
import { openDatabase, unixSocketOf } from '../../src/db/client.js';
import { startTempPostgres } from '../support/postgres-server.js';

describe('DATABASE_URL naming a Unix-domain socket (libpq: ?host=/folder)', () => {
  it('takes the folder out of the URL and names the socket file by the port', () => {
    expect(unixSocketOf('postgres://app:secret@localhost:6543/helpdesk?host=/var/run/postgresql')).toEqual({
      url: 'postgres://app:secret@localhost:6543/helpdesk',
      socketPath: '/var/run/postgresql/.s.PGSQL.6543',
    });
    expect(unixSocketOf('postgres://app@localhost/helpdesk?host=%2Ftmp%2Fpg%2F&sslmode=disable')).toEqual({
      url: 'postgres://app@localhost/helpdesk?sslmode=disable',
      socketPath: '/tmp/pg/.s.PGSQL.5432',
    });
  });

  it('leaves every other URL as it is', () => {
    for (const url of ['postgres://app@db.internal:5432/helpdesk', 'postgres://app@localhost/helpdesk?host=db.internal', 'not a url']) {
      expect(unixSocketOf(url)).toEqual({ url });
    }
  });

  it('connects through the socket', async () => {
    // The run's own server when it started one; else a throwaway server for this test.
    const provided = inject('postgresSocketUrl');
    const own = provided ? undefined : await startTempPostgres();
    const database = await openDatabase({ databaseUrl: provided || own!.socketUrl, poolMax: 1 });
    try {
      const [row] = (await database.db.execute(sql`select inet_server_addr() as address, 1 + 1 as two`)) as unknown as Array<{ address: string | null; two: number }>;
      // No server address: the connection is not TCP.
      expect(row).toEqual({ address: null, two: 2 });
    } finally {
      await database.close();
      await own?.stop();
    }
  });
});
