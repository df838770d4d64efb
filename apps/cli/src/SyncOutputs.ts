import path from "node:path"
import type { DeliveryReport } from "@tablecast/core"
import { urlPassword } from "../bin/secrets.js"
import type { OutputLocation } from "./OutputFiles.ts"
import { loadSourceAdapter, type SourceType } from "./sources/SourceRegistry.ts"
import { defaultStateFile } from "./StateStore.ts"
import type { ResolvedSync } from "./SyncConfig.ts"

/**
 * Every file a sync will write, for the preflight: the report (JSON and HTML), the rejects file, the checkpoint
 * (a plain sync, unless --no-checkpoint or a dry run) and the snapshot database (an incremental
 * sync kept in SQLite).
 */
export const syncOutputLocations = (input: {
  readonly sync: ResolvedSync
  readonly report: string | undefined
  /** --report-html's file. */
  readonly reportHtml?: string | undefined
  readonly checkpoint: string | undefined
  readonly incremental: boolean
  readonly stateFlag: string | undefined
  /** Whether --rejects was given (else the path comes from the config file's `rejects`). */
  readonly rejectsFlag?: boolean
}): Array<OutputLocation> => {
  const { sync } = input
  const locations: Array<OutputLocation> = []
  if (input.report !== undefined) locations.push({ flag: "--report", path: path.resolve(input.report), mode: "replace" })
  if (input.reportHtml !== undefined) locations.push({ flag: "--report-html", path: path.resolve(input.reportHtml), mode: "replace" })
  if (sync.rejects !== undefined) {
    const flag = input.rejectsFlag === false ? "rejects (config file)" : "--rejects"
    locations.push({ flag, path: path.resolve(sync.baseDir, sync.rejects), mode: "stream" })
  }
  if (input.checkpoint !== undefined) locations.push({ flag: "--state-dir", path: input.checkpoint, mode: "replace" })
  if (input.incremental && (sync.state === undefined || "sqlite" in sync.state)) {
    const file = sync.state === undefined ? defaultStateFile(sync.baseDir) : path.resolve(sync.baseDir, sync.state.sqlite)
    locations.push({ flag: input.stateFlag ?? "--state-db", path: file, mode: "database" })
  }
  return locations
}

const count = (n: number) => n.toLocaleString("en-US")
const plural = (n: number, one: string, many: string) => `${count(n)} ${n === 1 ? one : many}`

/**
 * Why a run did not end clean, in one line for stderr, or undefined when it did: the fatal
 * reason; or what was not delivered; or how many rows were rejected.
 */
export const failureLine = (report: DeliveryReport, rejectsFile: string | undefined): string | undefined => {
  if (report.fatal !== undefined) return report.fatal.message
  const where = rejectsFile === undefined ? "see the report" : `see ${rejectsFile}`
  if (report.outcome === "incomplete") {
    const { refused, undelivered } = report.messages
    return `not everything was delivered: ${plural(refused, "message", "messages")} refused, ${count(undelivered)} undelivered (${where})`
  }
  if (!report.dryRun && report.rows.rejected > 0) return `${plural(report.rows.rejected, "row was", "rows were")} rejected (${where})`
  if (report.dryRun && report.rows.rejected > 0) return `${plural(report.rows.rejected, "row", "rows")} would be rejected (${where})`
  return undefined
}

/** The flags whose value may be a connection URL, with the source whose driver reads it. */
const urlFlags: ReadonlyArray<readonly [flag: string, source: SourceType]> = [
  ["postgres", "postgres"],
  ["state-postgres", "postgres"],
  ["snowflake", "snowflake"]
]

/**
 * Warnings for secrets given as flags: a flag's value is seen by anyone who can list the
 * machine's processes, and stays in the shell's history. Each names the variable to use instead,
 * the one the source's driver reads (its adapter's `passwordVariable`; loaded only for a URL that
 * holds a password).
 */
export const secretFlagWarnings = async (flags: Readonly<Record<string, unknown>>): Promise<Array<string>> => {
  const warnings: Array<string> = []
  const visible = "visible in the process list and the shell history"
  if (typeof flags["write-key"] === "string") {
    warnings.push(`--write-key: the write key is ${visible}; set SEGMENT_WRITE_KEY instead`)
  }
  for (const [flag, source] of urlFlags) {
    const value = flags[flag]
    if (typeof value === "string" && urlPassword(value) !== undefined) {
      const variable = (await loadSourceAdapter(source)).passwordVariable
      const instead = variable === undefined ? "" : ` and set ${variable} instead`
      warnings.push(`--${flag}: the URL holds a password, ${visible}; leave it out of the URL${instead}`)
    }
  }
  return warnings
}
