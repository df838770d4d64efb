import { createRequire } from "node:module"
import * as Schema from "effect/Schema"

/**
 * The warehouse drivers: optional peer dependencies of the CLI (package.json), not in its bundle,
 * installed only by a user who reads that warehouse. The ranges are the CLI's peerDependencies
 * (Drivers.test.ts checks they agree).
 */
export const drivers = {
  pg: { packageName: "pg", versionRange: "^8.23.1" },
  snowflake: { packageName: "snowflake-sdk", versionRange: "^3.3.0" }
} as const

export type Driver = (typeof drivers)[keyof typeof drivers]

/** A driver the run needs is not installed: the CLI exits 13 before reading anything, naming the package to install. */
export class DriverMissingError extends Schema.TaggedError<DriverMissingError>()("DriverMissingError", {
  message: Schema.String,
  /** The npm package to install, e.g. "snowflake-sdk". */
  packageName: Schema.String,
  /** The versions the CLI works with, e.g. "^3.3.0". */
  versionRange: Schema.String
}) {}

/** The error for a missing driver: one line naming the package and how to install it, globally or for npx. */
export const driverMissing = (driver: Driver, neededBy: string): DriverMissingError => {
  const spec = `${driver.packageName}@${driver.versionRange}`
  return new DriverMissingError({
    message: `${neededBy} needs the npm package ${spec}, which is not installed: install it beside tablecast with npm install -g ${spec} (or npm install ${spec} in a project), or run npx -p @tablecast/cli -p ${spec} tablecast …`,
    packageName: driver.packageName,
    versionRange: driver.versionRange
  })
}

/** True when `error` says that exactly this package (or a file of it) cannot be found, from `import` or `require`. */
export const isNotFound = (error: unknown, packageName: string): boolean => {
  if (typeof error !== "object" || error === null) return false
  const { code, message } = error as { code?: unknown; message?: unknown }
  if (code !== "ERR_MODULE_NOT_FOUND" && code !== "MODULE_NOT_FOUND") return false
  // "Cannot find package 'pg' imported from …" (import), "Cannot find module 'pg/lib/utils.js'" (require).
  const escaped = packageName.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
  return new RegExp(`Cannot find (?:package|module) '${escaped}(?:/[^']*)?'`).test(String(message))
}

/** Where the CLI finds its drivers: beside itself (the bundle's folder, then up), as its own import would. */
export type ResolveDriver = (packageName: string) => unknown
const resolveBesideCli: ResolveDriver = (packageName) => createRequire(import.meta.url).resolve(packageName)

/**
 * Checks that a driver can be found before a run loads the code that needs it, then loads that
 * code; a missing driver (found missing either way) becomes a DriverMissingError.
 */
export const withDriver = async <A>(
  driver: Driver,
  neededBy: string,
  load: () => Promise<A>,
  resolve: ResolveDriver = resolveBesideCli
): Promise<A> => {
  try {
    resolve(driver.packageName)
    return await load()
  } catch (error) {
    if (isNotFound(error, driver.packageName)) throw driverMissing(driver, neededBy)
    throw error
  }
}
