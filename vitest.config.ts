import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['server/**/*.test.ts', 'widget/**/*.test.ts', 'evals/**/*.test.ts'],
    // builds dist/widget.js from the current source: browser tests and GET /widget.js use the real bundle
    globalSetup: ['widget/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
