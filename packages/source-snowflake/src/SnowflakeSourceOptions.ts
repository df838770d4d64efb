import { BinaryMapping, requireTableOrQuery, Secret } from "@tablecast/source-sql"
import * as z from "zod"

/**
 * Where and how to connect. Each field wins over the same part of `url`, which wins over the
 * SNOWFLAKE_* environment variables (SNOWFLAKE_ACCOUNT, SNOWFLAKE_USER, SNOWFLAKE_PASSWORD,
 * SNOWFLAKE_PRIVATE_KEY_PATH, SNOWFLAKE_PRIVATE_KEY_PASSPHRASE, SNOWFLAKE_WAREHOUSE,
 * SNOWFLAKE_DATABASE, SNOWFLAKE_SCHEMA, SNOWFLAKE_ROLE, SNOWFLAKE_ACCESS_URL).
 */
export const SnowflakeConnectionOptions = z.object({
  /**
   * `snowflake://user:password@account/database/schema?warehouse=WH&role=ROLE`; kept `Redacted`
   * (it may hold a password). Query parameters may also give `authenticator`, `privateKeyPath`
   * and `accessUrl`.
   */
  url: Secret.optional(),
  /** Account identifier, e.g. `myorg-myaccount` or `xy12345.eu-central-1`. */
  account: z.string().min(1).optional(),
  user: z.string().min(1).optional(),
  password: Secret.optional(),
  /** `SNOWFLAKE` (password) or `SNOWFLAKE_JWT` (key pair); a private key alone means SNOWFLAKE_JWT. */
  authenticator: z.enum(["SNOWFLAKE", "SNOWFLAKE_JWT"]).optional(),
  /** PEM file of the private key for key-pair authentication. */
  privateKeyPath: z.string().min(1).optional(),
  privateKeyPassphrase: Secret.optional(),
  warehouse: z.string().min(1).optional(),
  database: z.string().min(1).optional(),
  schema: z.string().min(1).optional(),
  role: z.string().min(1).optional(),
  /**
   * The service's base URL instead of `https://<account>.snowflakecomputing.com`: a private
   * link, or the test server (`http://127.0.0.1:PORT`).
   */
  accessUrl: z.string().url().optional(),
  /** How many times the driver retries a login that failed on the network (driver default: 7). */
  loginRetries: z.number().int().min(0).max(10).optional(),
  /** Per-request timeout of the driver, in milliseconds. */
  requestTimeoutMs: z.number().int().positive().optional()
})
export type SnowflakeConnectionOptionsInput = z.input<typeof SnowflakeConnectionOptions>
export type SnowflakeConnectionOptions = z.output<typeof SnowflakeConnectionOptions>

/**
 * A Snowflake source: a connection, and either a `table` (`name`, `schema.name` or
 * `database.schema.name`; unquoted parts fold to upper case) or a `query` (SQL text, or the path
 * of a `.sql` file).
 */
export const SnowflakeSourceOptions = SnowflakeConnectionOptions.extend({
  table: z.string().min(1).optional(),
  query: z.string().min(1).optional(),
  /** Rows handed to the pipeline at a time (the driver fetches whole result chunks underneath). */
  pageSize: z.number().int().min(1).max(100_000).default(1000),
  /** NUMBER/DECIMAL: numbers only where exact (default), or always strings. */
  bigNumbers: z.enum(["string", "number-if-exact"]).default("number-if-exact"),
  /** What a BINARY column becomes: refused (the default), or text in base64 or hex. */
  binary: BinaryMapping.default("refuse")
})
  .strict()
  .superRefine(requireTableOrQuery)
export type SnowflakeSourceOptionsInput = z.input<typeof SnowflakeSourceOptions>
export type SnowflakeSourceOptions = z.output<typeof SnowflakeSourceOptions>
