import { BinaryMapping, requireTableOrQuery, Secret } from "@tablecast/source-sql"
import * as z from "zod"

/**
 * libpq's sslmode. `prefer` (the default, as in libpq) tries TLS and falls back to plain text when
 * the server has none; `require` encrypts without checking the certificate (unless a CA file is
 * given: then as `verify-ca`); `verify-ca` checks the chain; `verify-full` also the host name.
 */
export const SslMode = z.enum(["disable", "allow", "prefer", "require", "verify-ca", "verify-full"])
export type SslMode = z.infer<typeof SslMode>

/**
 * Where and how to connect. Each field wins over the same part of `url`, which wins over the
 * PG* environment variables (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE,
 * PGSSLROOTCERT, PGCONNECT_TIMEOUT).
 */
export const PostgresConnectionOptions = z.object({
  /** `postgres://user:password@host:port/database?sslmode=...`; kept `Redacted` (it may hold a password). */
  url: Secret.optional(),
  host: z.string().min(1).optional(),
  port: z.coerce.number().int().min(1).max(65535).optional(),
  user: z.string().min(1).optional(),
  password: Secret.optional(),
  database: z.string().min(1).optional(),
  sslmode: SslMode.optional(),
  /** Path of a PEM file with the CA certificate(s) the server's certificate must chain to. */
  sslRootCert: z.string().min(1).optional(),
  /** Server-side `statement_timeout` for each fetch, in milliseconds (0: none). */
  statementTimeoutMs: z.number().int().min(0).optional(),
  /** How long to wait for the connection, in milliseconds. */
  connectTimeoutMs: z.number().int().positive().default(10_000)
})
export type PostgresConnectionOptionsInput = z.input<typeof PostgresConnectionOptions>
export type PostgresConnectionOptions = z.output<typeof PostgresConnectionOptions>

/**
 * A Postgres source: a connection, and either a `table` (`name` or `schema.name`, quoted names
 * allowed) or a `query` (SQL text, or the path of a `.sql` file).
 */
export const PostgresSourceOptions = PostgresConnectionOptions.extend({
  table: z.string().min(1).optional(),
  query: z.string().min(1).optional(),
  /** Rows fetched per round trip through the server-side cursor. */
  pageSize: z.number().int().min(1).max(100_000).default(1000),
  /** NUMERIC/DECIMAL and BIGINT: numbers only where exact (default), or always strings. */
  bigNumbers: z.enum(["string", "number-if-exact"]).default("number-if-exact"),
  /** What a binary (bytea) column becomes: refused (the default), or text in base64 or hex. */
  binary: BinaryMapping.default("refuse"),
  /** Runs the session read-only (`default_transaction_read_only`): tablecast only reads. */
  readOnly: z.boolean().default(true),
  /**
   * Diff in the database, for an incremental sync whose Postgres state store is in this database:
   * rows can be read with a digest each (`md5` of the row's text), leaving out those whose digest
   * the sync's snapshot entries hold. The snapshot's table and columns (unquoted names), the sync,
   * and its `key` columns (a key that appears more than once is never left out: duplicates stay
   * reported): the incremental package's `SnapshotDigestTable`, as the Postgres state store names it.
   */
  digestFilter: z
    .object({
      schema: z.string().min(1),
      table: z.string().min(1),
      syncColumn: z.string().min(1),
      digestColumn: z.string().min(1),
      sync: z.string().min(1),
      key: z.array(z.string().min(1)).min(1)
    })
    .strict()
    .optional()
})
  .strict()
  .superRefine(requireTableOrQuery)
export type PostgresSourceOptionsInput = z.input<typeof PostgresSourceOptions>
export type PostgresSourceOptions = z.output<typeof PostgresSourceOptions>
