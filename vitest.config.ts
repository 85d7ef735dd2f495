import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Workers hold native Temporal resources: separate processes keep them apart.
    pool: 'forks',
    globalSetup: ['./test/support/global-setup.ts'],
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: true,
    maxWorkers: 2,
    reporters: ['default', 'json'],
    outputFile: { json: '.test-results/vitest.json' },
  },
});
