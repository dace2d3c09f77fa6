import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Native addons (better-sqlite3, onnxruntime) are happiest in forked processes.
    pool: 'forks',
    // 2-core machines: more parallel files only thrash.
    maxWorkers: 2,
  },
});
