import { BinaryMapping, requireTableOrQuery } from "@tablecast/source-sql"
import * as z from "zod"

/**
 * A BigQuery source: a `table` (`project.dataset.table` or `dataset.table`) or a `query`
 * (GoogleSQL text, or the path of a `.sql` file), run as a query job and read a page at a time.
 * Credentials come from the environment only: the service account key file named by
 * GOOGLE_APPLICATION_CREDENTIALS.
 */
export const BigQuerySourceOptions = z
  .object({
    /** The project the query job runs (and is billed) in; default: the key file's project_id, or GOOGLE_CLOUD_PROJECT. */
    projectId: z.string().min(1).optional(),
    table: z.string().min(1).optional(),
    query: z.string().min(1).optional(),
    /** Where the job runs, e.g. `EU`, `US`, `europe-west3`; it must be the datasets' location. */
    location: z.string().min(1).optional(),
    /** The job fails, before it scans anything, when it would bill more bytes than this. */
    maximumBytesBilled: z.union([z.number().int().positive(), z.string().regex(/^[1-9]\d*$/, "a whole number of bytes")]).optional(),
    /** Rows asked for per results page (BigQuery also stops a page at about 10 MB); larger pages cost memory: 1,000 keeps a sync under 150 MiB. */
    pageSize: z.number().int().min(1).max(100_000).default(1000),
    /**
     * The API's base URL instead of `https://bigquery.googleapis.com`: a private endpoint, or a
     * test server (`http://127.0.0.1:PORT`; plain http is accepted on loopback only).
     */
    apiEndpoint: z.string().url().optional(),
    /** NUMERIC, BIGNUMERIC and INT64: numbers only where exact (default), or always strings. */
    bigNumbers: z.enum(["string", "number-if-exact"]).default("number-if-exact"),
    /** What a BYTES column becomes: refused (the default), or text in base64 or hex. */
    binary: BinaryMapping.default("refuse")
  })
  .strict()
  .superRefine(requireTableOrQuery)
export type BigQuerySourceOptionsInput = z.input<typeof BigQuerySourceOptions>
export type BigQuerySourceOptions = z.output<typeof BigQuerySourceOptions>
