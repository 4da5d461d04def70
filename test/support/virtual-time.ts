// Virtual time for tests that run against fauxqs in this process. fauxqs judges visibility timeouts
// and delays by Date.now(), so faking Date alone (real timers and I/O untouched) moves the queue and
// the code under test onto one clock that advances only when someone waits. Requests take no virtual
// time, so batching windows, quiet periods and visibility expiry cost milliseconds, not seconds.
import { onTestFinished, vi } from "vitest";
import { ReceiveMessageCommand, type ReceiveMessageCommandInput } from "@aws-sdk/client-sqs";
import { DefaultRateLimiter } from "@smithy/core/retry";

const limiter = DefaultRateLimiter as unknown as { setTimeoutFn: (fn: () => void, ms: number) => void };
const realLimiterWait = limiter.setTimeoutFn;

export interface VirtualClock {
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Every sleep asked for, in order (ms). */
  readonly sleeps: number[];
}

/**
 * Fake Date only, until the test ends. Time also keeps passing at the real rate, as code that
 * measures elapsed time with Date and waits on real timers needs it to. The SDK's adaptive rate
 * limiter (retryMode "adaptive") waits through a hook it provides for this: in virtual time too.
 */
export function useVirtualTime(): VirtualClock {
  vi.useFakeTimers({ toFake: ["Date"], now: Date.now(), shouldAdvanceTime: true });
  if (limiter.setTimeoutFn === realLimiterWait) {
    limiter.setTimeoutFn = (fn, ms) => {
      vi.advanceTimersByTime(Math.max(0, ms));
      setImmediate(fn);
    };
    onTestFinished(() => {
      limiter.setTimeoutFn = realLimiterWait;
      vi.useRealTimers();
    });
  }
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => Date.now(),
    async sleep(ms) {
      sleeps.push(ms);
      vi.advanceTimersByTime(Math.max(0, ms));
      // Let I/O callbacks run between sleeps, as a real wait would.
      await new Promise((r) => setImmediate(r));
    },
  };
}

interface Sender {
  send(command: any, options?: { abortSignal?: AbortSignal }): Promise<any>;
}

/**
 * An SQS client whose long polls wait in virtual time: a ReceiveMessage with WaitTimeSeconds is sent
 * as short polls, the clock moving 100 ms between them, until a message arrives (a visibility timeout
 * ran out, say) or the wait is over — what a long poll does, without the real wait.
 */
export function longPollsInVirtualTime(client: Sender, clock: VirtualClock): Sender {
  return {
    async send(command, options) {
      if (!(command instanceof ReceiveMessageCommand) || !command.input.WaitTimeSeconds)
        return client.send(command, options);
      const input: ReceiveMessageCommandInput = { ...command.input, WaitTimeSeconds: 0 };
      const end = clock.now() + command.input.WaitTimeSeconds * 1000;
      for (;;) {
        const res = await client.send(new ReceiveMessageCommand(input), options);
        if (res.Messages?.length || clock.now() >= end) return res;
        vi.advanceTimersByTime(Math.min(100, end - clock.now()));
      }
    },
  };
}

/**
 * fauxqs (in this process) ends a long poll on an empty queue at once instead of waiting it out. Only
 * for tests where nothing sends or becomes visible during a run (no pending visibility timeouts or
 * delays): then a long poll can only end empty, and waiting for that is all its cost. Works for CLI
 * runs in child processes too, since the wait happens here, in the emulator. On virtual time
 * (useVirtualTime) the wait passes on that clock instead.
 */
export async function endFauxqsLongPollsAtOnce(): Promise<() => void> {
  // fauxqs exports only its app; its queue class is reached by file (the version is pinned).
  const { SqsQueue } = (await import(
    new URL("../../node_modules/fauxqs/dist/sqs/sqsStore.js", import.meta.url).href
  )) as {
    SqsQueue: { prototype: { waitForMessages(seconds: number): Promise<void> } };
  };
  const spy = vi.spyOn(SqsQueue.prototype, "waitForMessages").mockImplementation(async (seconds) => {
    if (vi.isFakeTimers()) vi.advanceTimersByTime(seconds * 1000);
  });
  return () => spy.mockRestore();
}

/**
 * The CLI in this process on virtual time: Date faked, and the real clock's sleeps (pacing, back-off)
 * recorded and instant. Local servers stamp requests on the same clock. Process-wide state (CloudTrail's
 * shared pacer) starts empty, as runCliInProcess makes it for every run.
 */
export async function runCliInVirtualTime(args: string[], opts: { env?: Record<string, string>; cwd?: string } = {}) {
  const clock = useVirtualTime();
  const cwd = process.cwd();
  try {
    const { systemClock } = await import("../../src/adapters/clock.js");
    const sleep = vi.spyOn(systemClock, "sleep").mockImplementation(clock.sleep);
    const { runInProcess } = await import("./run-in-process.js");
    if (opts.cwd) process.chdir(opts.cwd);
    try {
      return { ...(await runInProcess(args, { env: opts.env })), sleeps: clock.sleeps };
    } finally {
      sleep.mockRestore();
    }
  } finally {
    process.chdir(cwd);
  }
}
