import { defineConfig } from "vitest/config";

// Integration suite: real emulators (moto_server, fauxqs) and the built CLI as a child process.
export default defineConfig({
  test: {
    // The SDK's "a future version needs a newer Node" notice is not actionable in test output.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    include: ["test/integration/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
