import type pg from "pg"

/**
 * The `sf` schema in the PostgreSQL database behind the test server: the Snowflake types that
 * Postgres has no twin for (TIMESTAMP_TZ keeps its offset; OBJECT and ARRAY differ from VARIANT),
 * the functions the translator rewrites to, and INFORMATION_SCHEMA views with Snowflake's columns.
 * Test fixtures create tables with these types directly in Postgres (like a loader would).
 */
export const SF_SCHEMA_SQL = String.raw`
SELECT pg_advisory_xact_lock(72180011);
CREATE SCHEMA IF NOT EXISTS sf;
DO $$ BEGIN
  CREATE TYPE sf.timestamp_tz AS (utc timestamptz, offset_minutes int4);
EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN
  CREATE TYPE sf.object AS (value jsonb);
EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN
  CREATE TYPE sf.array AS (value jsonb);
EXCEPTION WHEN duplicate_object THEN NULL; END $$;

CREATE OR REPLACE FUNCTION sf.to_timestamp_tz(t text) RETURNS sf.timestamp_tz LANGUAGE sql IMMUTABLE AS $f$
  SELECT ROW(
    t::timestamptz,
    COALESCE((
      SELECT (CASE WHEN m[1] = '-' THEN -1 ELSE 1 END) * (m[2]::int * 60 + COALESCE(NULLIF(m[3], ''), '0')::int)
        FROM regexp_match(t, '\d:\d\d(?::\d\d(?:\.\d+)?)?\s*([+-])(\d\d):?(\d\d)?$') AS m
    ), 0)
  )::sf.timestamp_tz
$f$;
CREATE OR REPLACE FUNCTION sf.to_timestamp_ntz(t text) RETURNS timestamp LANGUAGE sql IMMUTABLE AS $f$ SELECT t::timestamp $f$;
CREATE OR REPLACE FUNCTION sf.to_timestamp_ltz(t text) RETURNS timestamptz LANGUAGE sql STABLE AS $f$ SELECT t::timestamptz $f$;
CREATE OR REPLACE FUNCTION sf.object(v jsonb) RETURNS sf.object LANGUAGE sql IMMUTABLE AS $f$ SELECT ROW(v)::sf.object $f$;
CREATE OR REPLACE FUNCTION sf.array(v jsonb) RETURNS sf.array LANGUAGE sql IMMUTABLE AS $f$ SELECT ROW(v)::sf.array $f$;
CREATE OR REPLACE FUNCTION sf.to_binary(t text, format text DEFAULT 'HEX') RETURNS bytea LANGUAGE sql IMMUTABLE AS $f$
  SELECT CASE upper(format) WHEN 'BASE64' THEN decode(t, 'base64') WHEN 'UTF-8' THEN convert_to(t, 'UTF8') ELSE decode(t, 'hex') END
$f$;
CREATE OR REPLACE FUNCTION sf.system_wait(seconds float8) RETURNS text LANGUAGE sql VOLATILE AS $f$
  SELECT 'waited ' || seconds || ' seconds' FROM pg_sleep(seconds)
$f$;
-- Snowflake names unquoted objects in upper case; Postgres in lower case.
CREATE OR REPLACE FUNCTION sf.snowflake_name(name text) RETURNS text LANGUAGE sql IMMUTABLE AS $f$
  SELECT CASE WHEN name ~ '^[a-z_][a-z0-9_$]*$' THEN upper(name) ELSE name END
$f$;
CREATE OR REPLACE VIEW sf.information_schema_tables AS
  SELECT upper(current_database()) AS table_catalog,
         sf.snowflake_name(n.nspname) AS table_schema,
         sf.snowflake_name(c.relname) AS table_name,
         CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'BASE TABLE' END AS table_type,
         CASE WHEN c.relkind IN ('r', 'p', 'm') THEN greatest(c.reltuples, 0)::int8 END AS row_count,
         CASE WHEN c.relkind IN ('r', 'p', 'm') THEN pg_catalog.pg_relation_size(c.oid) END AS bytes,
         -- Postgres keeps no modification time: the write counters stand in for it, so the
         -- value moves whenever the table's data changes (which is what tablecast relies on).
         to_timestamp(coalesce(s.n_tup_ins + s.n_tup_upd + s.n_tup_del, 0) + c.relfilenode::int8) AS last_altered
    FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_catalog.pg_stat_all_tables s ON s.relid = c.oid
   WHERE c.relkind IN ('r', 'p', 'v', 'm')
     AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'sf') AND n.nspname NOT LIKE 'pg\_%'
     AND pg_catalog.has_table_privilege(c.oid, 'SELECT');
CREATE OR REPLACE VIEW sf.information_schema_columns AS
  SELECT sf.snowflake_name(n.nspname) AS table_schema,
         sf.snowflake_name(c.relname) AS table_name,
         sf.snowflake_name(a.attname) AS column_name,
         a.attnum AS ordinal_position,
         CASE WHEN a.attnotnull THEN 'NO' ELSE 'YES' END AS is_nullable,
         pg_catalog.format_type(a.atttypid, a.atttypmod) AS data_type
    FROM pg_catalog.pg_attribute a
    JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
   WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm')
     AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'sf') AND n.nspname NOT LIKE 'pg\_%';
`

/** The OIDs of the `sf` composite types, which the encoder maps to Snowflake types. */
export interface SfTypeOids {
  readonly timestampTz: number
  readonly object: number
  readonly array: number
}

/** Creates (or refreshes) the `sf` schema, serialized by an advisory lock, and reads its type OIDs. */
export const installSfSchema = async (client: pg.Client): Promise<SfTypeOids> => {
  await client.query("BEGIN")
  try {
    await client.query(SF_SCHEMA_SQL)
    await client.query("COMMIT")
  } catch (error) {
    await client.query("ROLLBACK")
    throw error
  }
  const { rows } = await client.query<{ typname: string; oid: string }>(
    "SELECT t.typname, t.oid::text AS oid FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'sf' AND t.typname IN ('timestamp_tz', 'object', 'array')"
  )
  const oid = (name: string) => Number(rows.find((row) => row.typname === name)?.oid ?? Number.NaN)
  return { timestampTz: oid("timestamp_tz"), object: oid("object"), array: oid("array") }
}
