import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

// Unit tests: fast, no emulator processes (fauxqs runs in-process where a test needs SQS).
export default defineConfig({
  test: {
    // The SDK's "a future version needs a newer Node" notice is not actionable in test output.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    include: ["test/**/*.test.ts"],
    exclude: ["test/integration/**", "node_modules/**"],
    testTimeout: 20_000,
    // One test file per core, not vitest's default of one fewer: much of a file's time is spent
    // waiting on child processes and local servers. Measured on 2 cores: 1 worker 51 s, 2 workers
    // 30 s, 3 workers 32 s. Isolation stays on (off saves ~7 s but breaks the vi.mock'd files).
    maxWorkers: availableParallelism(),
  },
});
