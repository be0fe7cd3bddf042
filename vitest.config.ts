import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Real processes and agents: keep parallelism modest on 2-core machines.
    maxWorkers: 2,
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
