import { BinaryMapping, requireTableOrQuery } from "@tablecast/source-sql"
import * as z from "zod"

/**
 * Where to connect. Each field wins over the DATABRICKS_* variable of the same meaning
 * (DATABRICKS_HOST, DATABRICKS_HTTP_PATH, DATABRICKS_CATALOG, DATABRICKS_SCHEMA). Credentials are
 * never options: a personal access token comes from DATABRICKS_TOKEN, an OAuth machine-to-machine
 * service principal from DATABRICKS_CLIENT_ID and DATABRICKS_CLIENT_SECRET.
 */
export const DatabricksConnectionOptions = z.object({
  /** The workspace's server hostname, e.g. `dbc-a1b2345c-d6e7.cloud.databricks.com` (`https://` allowed). */
  host: z.string().min(1).optional(),
  /** The HTTP path of the SQL warehouse or cluster, e.g. `/sql/1.0/warehouses/a1b234c567d8e9fa`. */
  httpPath: z.string().min(1).optional(),
  /** HTTPS port (default 443). */
  port: z.number().int().min(1).max(65_535).optional(),
  /** The Unity Catalog catalog and schema a one- or two-part table name is in. */
  catalog: z.string().min(1).optional(),
  schema: z.string().min(1).optional(),
  /**
   * A PEM file of a certificate authority to trust on top of the usual ones (a TLS-inspecting
   * proxy; the test server). Certificates are always checked.
   */
  caCertPath: z.string().min(1).optional(),
  /**
   * An HTTP(S) proxy every request goes through (`http://proxy.corp:3128`, credentials in the URL
   * allowed); default HTTPS_PROXY (or https_proxy) unless NO_PROXY names the host.
   */
  proxy: z.string().url().optional(),
  /** Seconds a statement may run before the warehouse cancels it. */
  queryTimeoutSeconds: z.number().int().positive().optional()
})
export type DatabricksConnectionOptionsInput = z.input<typeof DatabricksConnectionOptions>

/**
 * A Databricks source: a connection, and either a `table` (`name`, `schema.name` or
 * `catalog.schema.name`; backticks quote a part) or a `query` (SQL text, or the path of a `.sql` file).
 */
export const DatabricksSourceOptions = DatabricksConnectionOptions.extend({
  table: z.string().min(1).optional(),
  query: z.string().min(1).optional(),
  /** Rows asked of the warehouse per fetch (a page); the driver holds about one page at a time. */
  pageSize: z.number().int().min(1).max(100_000).default(2_000),
  /** DECIMAL/BIGINT: numbers only where exact (default), or always strings. */
  bigNumbers: z.enum(["string", "number-if-exact"]).default("number-if-exact"),
  /** What a BINARY column becomes: refused (the default), or text in base64 or hex. */
  binary: BinaryMapping.default("refuse")
})
  .strict()
  .superRefine(requireTableOrQuery)
export type DatabricksSourceOptionsInput = z.input<typeof DatabricksSourceOptions>
export type DatabricksSourceOptions = z.output<typeof DatabricksSourceOptions>
