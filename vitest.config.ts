import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    // Removes the directories test/support/temp-dir.ts made, after each test file.
    setupFiles: ['test/support/remove-temp-dirs.ts'],
  },
});
