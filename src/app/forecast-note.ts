// The forecast's caveat, said in `notify forecast --help` and in its result: its own tiny module so help loads nothing else.
export const SPLIT_NOTE =
  "Best case: ceil(calls / BatchSize) digests per wave. Lambda polls SQS with several pollers in parallel, " +
  "so a wave can arrive as more, smaller batches (more Slack messages) than this.";
