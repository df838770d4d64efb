import { SourceError } from "@tablecast/core"

/**
 * Which server answers a Postgres connection. Amazon Redshift speaks the PostgreSQL protocol (it
 * reports itself as PostgreSQL 8.0.2) but not PostgreSQL's SQL of today: its `version()` text ends
 * with "Redshift <version>", which is what tells the two apart.
 */
export type PostgresServer = { readonly kind: "postgres" } | { readonly kind: "redshift"; readonly version: string }

const REDSHIFT = /\bRedshift\s+(\d+(?:\.\d+)*)/i

/** The server a `SELECT version()` text names. */
export const serverOf = (versionText: string): PostgresServer => {
  const redshift = REDSHIFT.exec(versionText)
  return redshift === null ? { kind: "postgres" } : { kind: "redshift", version: redshift[1]! }
}

/**
 * What the Postgres source runs that Redshift does not (docs/sources/redshift.md): each read looks
 * its columns' types up with array parameters and `unnest ... WITH ORDINALITY`; a resumable run
 * fingerprints the tables by `EXPLAIN (FORMAT JSON)` and `pg_stat_all_tables`; the session sets
 * IntervalStyle, bytea_output and default_transaction_read_only, and extra_float_digits = 3
 * (Redshift takes at most 2); an in-database diff digests `md5(t::text)` of whole rows.
 */
const REDSHIFT_GAPS =
  "the Postgres source relies on PostgreSQL features Redshift lacks (array parameters and unnest for column types, EXPLAIN (FORMAT JSON) for fingerprints, IntervalStyle/bytea_output/default_transaction_read_only settings, md5 of a whole row)"

/**
 * The error for a Redshift endpoint: refused before any setting or query of the user's runs, rather
 * than failing halfway through a read with an error that names some PostgreSQL feature.
 */
export const redshiftRefusal = (server: PostgresServer, where: string): SourceError | undefined =>
  server.kind === "redshift"
    ? new SourceError({
        message: `${where} is Amazon Redshift ${server.version}, which the Postgres source does not read: ${REDSHIFT_GAPS}. Export the model with UNLOAD ... FORMAT PARQUET and read the files with -f (DuckDB); see docs/sources/redshift.md`,
        code: "unsupported"
      })
    : undefined

/** What every session sets, so values arrive in one known text form (tablecast's own SQL, no user text). */
export const sessionSettings = (readOnly: boolean): string =>
  [
    "SET TimeZone = 'UTC'",
    "SET DateStyle = 'ISO, MDY'",
    "SET IntervalStyle = 'iso_8601'",
    "SET bytea_output = 'hex'",
    "SET extra_float_digits = 3",
    ...(readOnly ? ["SET default_transaction_read_only = on"] : [])
  ].join("; ")
