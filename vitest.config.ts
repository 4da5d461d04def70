import { defineConfig } from "vitest/config";

// Unit tests: fast, no emulator processes (fauxqs runs in-process where a test needs SQS).
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/integration/**", "node_modules/**"],
    testTimeout: 20_000,
  },
});
