import { scrubSecrets } from "@tablecast/source-sql"
import { StateError } from "@tablecast/incremental"
import type pg from "pg"

/** Where the store connects, for messages: never a password. */
export const describeConnection = (config: pg.ClientConfig | pg.PoolConfig | undefined, schema: string): string => {
  const env = process.env
  if (config?.connectionString !== undefined) {
    try {
      const url = new URL(config.connectionString)
      // User, host, port and database only: the password and every query parameter stay out.
      const user = url.username === "" ? "" : `${url.username}@`
      return `${url.protocol}//${user}${url.host}${url.pathname}, schema "${schema}"`
    } catch {
      return `postgres (connection string), schema "${schema}"`
    }
  }
  const host = config?.host ?? env.PGHOST ?? "localhost"
  const port = config?.port ?? env.PGPORT ?? 5432
  const user = config?.user ?? env.PGUSER ?? env.USER ?? ""
  const database = config?.database ?? env.PGDATABASE ?? user
  return `postgres://${user === "" ? "" : `${encodeURIComponent(user)}@`}${host.includes(":") ? `[${host}]` : host}:${port}/${encodeURIComponent(database)}, schema "${schema}"`
}

/** The plain secrets a message could carry, for scrubbing (never for printing). */
export const secretsOf = (config: pg.ClientConfig | pg.PoolConfig | undefined): Array<string> => {
  const secrets: Array<string> = []
  if (typeof config?.password === "string") secrets.push(config.password)
  if (config?.connectionString !== undefined) {
    secrets.push(config.connectionString)
    try {
      const password = decodeURIComponent(new URL(config.connectionString).password)
      if (password !== "") secrets.push(password)
    } catch {
      // Not a URL: the whole string is scrubbed already.
    }
  }
  if (process.env.PGPASSWORD !== undefined && process.env.PGPASSWORD !== "") secrets.push(process.env.PGPASSWORD)
  return secrets
}

interface DriverErrorFields {
  readonly message?: unknown
  readonly code?: unknown
  readonly detail?: unknown
  readonly severity?: unknown
}

/**
 * A `StateError` naming the store and what failed; the driver's words pass through `scrubSecrets`
 * (a connection string in an error keeps no password).
 */
export const toStateError = (error: unknown, location: string, doing: string, secrets: ReadonlyArray<string>): StateError => {
  if (error instanceof StateError) return error
  const fields: DriverErrorFields = typeof error === "object" && error !== null ? (error as DriverErrorFields) : {}
  const base = typeof fields.message === "string" && fields.message !== "" ? fields.message : String(error)
  const detail = typeof fields.detail === "string" ? `; detail: ${fields.detail}` : ""
  const code = typeof fields.code !== "string" ? "" : typeof fields.severity === "string" ? ` (SQLSTATE ${fields.code})` : ` (${fields.code})`
  return new StateError({ message: scrubSecrets(`Postgres state store ${location}: ${doing}: ${base}${detail}${code}`, secrets) })
}
