// Waiting on AWS, in one place: retrying a call while IAM changes propagate, and polling until a
// resource is ready. The sleep is injected so tests never wait for real.

export type Sleep = (ms: number) => Promise<void>;

/** Back-off between attempts: 2 s, 4 s, … capped at 10 s. */
const backoff = (attempt: number): number => Math.min(2000 * (attempt + 1), 10_000);

/**
 * `call()` again while `transient(err)` says the error will clear by itself (a role or policy written
 * seconds ago, not yet visible to the service) and `waitMs` has not run out; any other error is thrown at once.
 */
export async function retryWhile<T>(
  call: () => Promise<T>,
  transient: (err: unknown) => boolean,
  o: { sleep: Sleep; waitMs: number },
): Promise<T> {
  const deadline = Date.now() + o.waitMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (!transient(err) || Date.now() > deadline) throw err;
      await o.sleep(backoff(attempt));
    }
  }
}

/** An IAM propagation error: InvalidParameterValueException whose message matches `pattern`. */
export function propagating(pattern: RegExp): (err: unknown) => boolean {
  return (err) => {
    const e = err as { name?: string; message?: string };
    return e.name === "InvalidParameterValueException" && pattern.test(e.message ?? "");
  };
}

/**
 * Poll `read()` every 2 s until `done(value)`; `fail(value)` names a state that will not get better, and
 * `late(value)` is the error once `waitMs` has run out. Errors from `read()` are thrown at once, not
 * retried until the deadline (an AccessDenied should not take three minutes to show).
 */
export async function pollUntil<T>(
  read: () => Promise<T>,
  o: {
    done: (v: T) => boolean;
    fail?: (v: T) => Error | undefined;
    late: (v: T) => Error;
    sleep: Sleep;
    waitMs: number;
  },
): Promise<T> {
  const deadline = Date.now() + o.waitMs;
  for (;;) {
    const v = await read();
    if (o.done(v)) return v;
    const failed = o.fail?.(v);
    if (failed) throw failed;
    if (Date.now() > deadline) throw o.late(v);
    await o.sleep(2000);
  }
}
