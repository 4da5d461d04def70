// at() / rate() / cron() parsing and fire times in a time zone, with EventBridge Scheduler's rules.
// CONTRACT (other modules code against these signatures; implementation owned by the schedules work).

export interface FireOptions {
  /** IANA zone (ScheduleExpressionTimezone); default UTC. */
  timezone?: string;
  /** Schedule StartDate: no fire before it; rate() is anchored at it. */
  startDate?: Date;
  /** Schedule EndDate: no fire after it. */
  endDate?: Date;
}

/** Throws UsageError with the reason when the expression is invalid. */
export declare function validateScheduleExpression(expression: string): void;
/** Up to `count` fire times strictly after `from`. */
export declare function nextFires(expression: string, from: Date, count: number, opts?: FireOptions): Date[];
/** Every fire time t with from <= t < to (at most `limit`, default 10,000). */
export declare function firesBetween(expression: string, from: Date, to: Date, opts?: FireOptions, limit?: number): Date[];
