import { defineConfig } from "vitest/config";

// Unit tests: fast, no emulator processes (fauxqs runs in-process where a test needs SQS).
export default defineConfig({
  test: {
    // The SDK's "a future version needs a newer Node" notice is not actionable in test output.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    include: ["test/**/*.test.ts"],
    exclude: ["test/integration/**", "node_modules/**"],
    testTimeout: 20_000,
  },
});
