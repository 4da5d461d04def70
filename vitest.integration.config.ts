import { defineConfig } from "vitest/config";

// Integration suite: real emulators (moto_server, fauxqs) and the built CLI as a child process.
export default defineConfig({
  test: {
    include: ["test/integration/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
