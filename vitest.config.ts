import { defineConfig } from 'vitest/config';

const env = {
  // The SDK's notice about Node 20's support window is known; keep test output readable.
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
};

export default defineConfig({
  test: {
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      {
        // Pure rules and adapters: milliseconds, no database, nothing to wait for.
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], env, testTimeout: 20_000 },
      },
      {
        // CDK template assertions: synthesis only, no database.
        test: { name: 'infra', include: ['test/infra/**/*.test.ts'], env, testTimeout: 120_000, hookTimeout: 180_000 },
      },
      {
        test: {
          name: 'database',
          include: ['test/integration/**/*.test.ts', 'test/http/**/*.test.ts'],
          // One DynamoDB Local for these; each test file works in its own table.
          globalSetup: ['test/support/global-setup.ts'],
          env,
          testTimeout: 20_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          // The console is built once for the run; each file drives Chromium against its own npm start.
          globalSetup: ['test/e2e/global-setup.ts'],
          env,
          testTimeout: 120_000,
          hookTimeout: 240_000,
        },
      },
    ],
  },
});
