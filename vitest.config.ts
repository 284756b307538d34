import { defineConfig } from 'vitest/config';

/**
 * Tests that run the product as processes (npm start, the demo, the packed SDK), or servers
 * of their own (an outage, replicas): mostly waiting, so they run beside the in-process ones.
 */
const PROCESS_TESTS = [
  'test/main.test.ts',
  'test/main.lifecycle.test.ts',
  'test/durability.test.ts',
  'test/scripts/demo.test.ts',
  'test/sdk/package.test.ts',
  'test/db/outage.test.ts',
  'test/jobs/sla-replicas.test.ts',
];

export default defineConfig({
  test: {
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Test files wait on databases, child processes and HTTP as much as they compute: more
    // files at once than CPUs keeps both CPUs of a small machine busy.
    maxWorkers: 4,
    projects: [
      // In-process tests share their workers' loaded modules (and compiled PGlite) from file to file.
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: PROCESS_TESTS, isolate: false } },
      { extends: true, test: { name: 'process', include: PROCESS_TESTS } },
    ],
  },
});
