import { readFileSync } from "node:fs"
import { hostname } from "node:os"

/**
 * Who holds a sync: a row of `run_lock` naming a process. A row survives the process that wrote it
 * (a crash, a SIGKILL, a power cut), so a holder counts only while its process still runs: same
 * host, a live pid and, on Linux, the same process start time (a pid reused by another program
 * after a crash does not keep the lock). SQLite's own file locks would vanish with the process, but
 * holding one for a whole run would stop the run's own commits; a row plus a liveness check gives
 * the same guarantee and tells the user who holds the sync.
 */
export interface RunHolder {
  readonly pid: number
  readonly host: string
  /** `/proc/<pid>/stat` start time in clock ticks since boot; "" where there is no /proc. */
  readonly processStart: string
  /** ISO time the run opened the sync. */
  readonly startedAt: string
}

/** The start time of a process in clock ticks since boot (Linux), or "" when unknown. */
export const processStartOf = (pid: number): string => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    // The command name (field 2) is in parentheses and may hold spaces: count from after it.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    // Field 22, starttime; fields[0] is field 3.
    return fields[19] ?? ""
  } catch {
    return ""
  }
}

export const currentHolder = (): RunHolder => ({
  pid: process.pid,
  host: hostname(),
  processStart: processStartOf(process.pid),
  startedAt: new Date().toISOString()
})

const pidIsRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

/**
 * Whether a recorded holder may still be running. A holder on another host cannot be checked and
 * counts as alive (SQLite's WAL mode needs every user of the file on one host anyway).
 */
export const holderIsAlive = (holder: RunHolder): boolean => {
  if (holder.host !== hostname()) return true
  if (!pidIsRunning(holder.pid)) return false
  if (holder.processStart === "") return true
  const start = processStartOf(holder.pid)
  return start === "" || start === holder.processStart
}

export const describeHolder = (holder: RunHolder): string => `pid ${holder.pid} on ${holder.host}, since ${holder.startedAt}`
