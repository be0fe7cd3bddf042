import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Guards against a hang, not waits: a test of real agents that takes 6 s alone took
    // 36-38 s while two CI runs shared 2 cores (each with 2 workers).
    testTimeout: 90_000,
    hookTimeout: 60_000,
    // Real processes and agents: keep parallelism modest on 2-core machines.
    maxWorkers: 2,
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
