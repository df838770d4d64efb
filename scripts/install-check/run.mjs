// Running commands for the install check: each gets the chosen Node first on PATH and none of the
// repository's own tools, so what runs is what a user's machine would run.
import { spawn } from "node:child_process"
import { delimiter } from "node:path"

/**
 * The environment of a command run "outside the repository": PATH without any node_modules/.bin
 * (pnpm puts the workspace's there, whose `tablecast` and `node` would stand in for the installed
 * ones), the chosen Node's folder first, no npm_* or pnpm variables inherited from the pnpm run that
 * started the check, and npm told not to audit, ask for funding or check for its own updates.
 */
export const outsideEnv = ({ nodeBinDir, npmCache, extra = {} }) => {
  const env = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(npm_|pnpm_|PNPM_)/i.test(name)) env[name] = value
  }
  const path = (process.env.PATH ?? "").split(delimiter).filter((dir) => dir !== "" && !dir.includes("node_modules"))
  env.PATH = [nodeBinDir, ...path].join(delimiter)
  Object.assign(env, {
    npm_config_cache: npmCache,
    npm_config_audit: "false",
    npm_config_fund: "false",
    npm_config_update_notifier: "false",
    npm_config_loglevel: "error",
    ...extra
  })
  return env
}

/** Runs a command to its end: its exit code, what it printed, and how long it took. */
export const run = (command, args, { cwd, env }) =>
  new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (text) => {
      stdout += text
    })
    child.stderr.setEncoding("utf8").on("data", (text) => {
      stderr += text
    })
    child.on("error", reject)
    child.on("close", (code, signal) => resolve({ code: code ?? signal, stdout, stderr, millis: performance.now() - started }))
  })

/** The last lines of a command's output, for a failure message. */
export const tail = (text, lines = 15) => text.trimEnd().split("\n").slice(-lines).join("\n")

export const seconds = (millis) => `${(millis / 1000).toFixed(1)} s`
