/** The write key the tests' receivers accept. Never printed by tablecast; the tests check that too. */
export const WRITE_KEY = "wk_faults_7c1d93e0a4b2"

/**
 * `tablecast sync` of a generated CSV (see Rows.ts) to an endpoint, reporting as JSON, in batches
 * of 100 (`--batch-profile small`): the faults are drawn per request, so a run needs many of them;
 * a test's own `--batch-count` wins.
 */
export const syncArgs = (file: string, endpoint: string, extra: ReadonlyArray<string> = []): Array<string> => [
  "sync",
  "--file",
  file,
  "--event",
  "Churn Scored",
  "--customer-id",
  "customer_id",
  "--endpoint",
  endpoint,
  "--json",
  "--batch-profile",
  "small",
  ...extra
]

export const env = (writeKey: string = WRITE_KEY): Record<string, string> => ({ SEGMENT_WRITE_KEY: writeKey })
