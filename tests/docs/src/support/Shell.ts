import { spawn } from "node:child_process"
import { chmod, mkdir, writeFile } from "node:fs/promises"
import path from "node:path"
import { cliBin, type Finished, finished } from "./Processes.ts"

/** The write key the recipes' runs use: any key the local receiver accepts. */
export const TEST_WRITE_KEY = "recipe-test-write-key"

/**
 * A `tablecast` for the recipes' commands: the CLI built from this repository, with `--endpoint`
 * added to `sync` so that it sends to the test's receiver instead of Segment (the CLI has no
 * environment variable for the endpoint). Everything else passes through unchanged.
 */
export const writeTablecastShim = async (binDir: string): Promise<void> => {
  await mkdir(binDir, { recursive: true })
  const shim = path.join(binDir, "tablecast")
  const quoted = (text: string) => `'${text.replaceAll("'", "'\\''")}'`
  await writeFile(
    shim,
    [
      "#!/bin/sh",
      "# tablecast as the recipe tests run it: sync sends to the test's receiver.",
      `if [ "$1" = sync ]; then exec ${quoted(process.execPath)} ${quoted(cliBin)} "$@" --endpoint "$TABLECAST_RECIPE_ENDPOINT"; fi`,
      `exec ${quoted(process.execPath)} ${quoted(cliBin)} "$@"`,
      ""
    ].join("\n")
  )
  await chmod(shim, 0o755)
}

export interface ShellRun {
  readonly cwd: string
  readonly binDir: string
  /** The receiver's URL, for the shim's `--endpoint`. */
  readonly endpoint?: string
  /** The whole environment beside PATH and HOME: nothing of the machine's leaks in. */
  readonly env?: Record<string, string>
}

/** Runs a script with bash in `cwd`, the shim's folder first on PATH. */
export const runBash = (script: string, run: ShellRun, timeoutMillis = 150_000): Promise<Finished> =>
  runProgram("bash", ["-c", script], run, timeoutMillis)

/** Runs a program with an argument list, as a Python `subprocess.run([...])` would. */
export const runProgram = (program: string, args: ReadonlyArray<string>, run: ShellRun, timeoutMillis = 150_000): Promise<Finished> =>
  finished(
    spawn(program, args, {
      cwd: run.cwd,
      env: {
        PATH: `${run.binDir}:${process.env.PATH ?? ""}`,
        HOME: process.env.HOME ?? "",
        ...(run.endpoint === undefined ? {} : { TABLECAST_RECIPE_ENDPOINT: run.endpoint }),
        ...run.env
      },
      stdio: ["ignore", "pipe", "pipe"]
    }),
    timeoutMillis
  )

/** A result's output, for assertion messages. */
export const describeRun = (result: Finished): string =>
  `exit ${result.code}\nstdout: ${result.stdout.slice(0, 3_000)}\nstderr: ${result.stderr.slice(0, 3_000)}`
