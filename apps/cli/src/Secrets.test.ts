import path from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { redactText, redactValue, secretsOf } from "../bin/secrets.js"
import { secretFlagWarnings } from "./SyncOutputs.ts"
import { runCli } from "./testing/runCli.ts"

// bin/secrets.js: the secrets of a command line and an environment, kept out of DEBUG output.

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..")
const example = path.join(repo, "examples/sales-predictions.csv")

describe("secretsOf and redactText", () => {
  it("finds secret flags' values, URL and DSN passwords, and secret variables", () => {
    const secrets = secretsOf(
      [
        "--write-key",
        "wk_flag_value",
        "--write-key=wk_inline_value",
        "--postgres",
        "postgres://me:pg%21pass@db/x",
        "--snowflake",
        "snowflake://me:sf-pass@acct/db?privateKeyPassphrase=keypass123"
      ],
      {
        SEGMENT_WRITE_KEY: "wk_env_value",
        PGPASSWORD: "pgenvpass",
        MY_KEY_VAR: "named-var-key",
        DATABASE_URL: "postgres://u:urlpass@h/d",
        HOME: "/root"
      }
    )
    for (const secret of [
      "wk_flag_value",
      "wk_inline_value",
      "pg%21pass",
      "pg!pass",
      "sf-pass",
      "keypass123",
      "wk_env_value",
      "pgenvpass",
      "named-var-key",
      "urlpass"
    ]) {
      expect(secrets).toContain(secret)
    }
    expect(secrets).not.toContain("/root")
    const text = "argv: --write-key wk_flag_value postgres://me:pg!pass@db/x host=db password=dsnpass user=me"
    expect(redactText(text, secrets)).toBe("argv: --write-key [redacted] postgres://me:[redacted]@db/x host=db password=[redacted] user=me")
  })

  it("redacts whole elements however short, inside arrays and objects", () => {
    const secrets = secretsOf(["--write-key", "k1"], {})
    expect(redactValue(["--write-key", "k1", { flags: { "write-key": "k1", file: "a.csv" } }], secrets)).toEqual([
      "--write-key",
      "[redacted]",
      { flags: { "write-key": "[redacted]", file: "a.csv" } }
    ])
  })
})

describe("tablecast with DEBUG=*", () => {
  it("prints oclif's debug output with every secret redacted, whatever the flag", async () => {
    const writeKey = "wk_debug_secret_7f3e"
    const password = "Pg-Secret-92b1"
    const result = await runCli(
      [
        "sync",
        "--postgres",
        `postgres://tablecast:${password}@127.0.0.1:1/warehouse`,
        "--table",
        "scores",
        "--event",
        "E",
        "--customer-id",
        "id",
        `--write-key=${writeKey}`,
        "--endpoint",
        "http://127.0.0.1:9",
        "--progress",
        "none"
      ],
      { env: { DEBUG: "*" } }
    )
    // The debug output is there (so the test can fail), and it holds the command line...
    expect(result.stderr).toMatch(/oclif:config runCommand sync/)
    expect(result.stderr).toContain("[redacted]")
    // ...but never the secrets.
    expect(result.stdout + result.stderr).not.toContain(writeKey)
    expect(result.stdout + result.stderr).not.toContain(password)
    // Given as flags, each is warned about, pointing to its variable.
    expect(result.stderr).toMatch(/tablecast: warning: --write-key: .*set SEGMENT_WRITE_KEY instead/)
    expect(result.stderr).toMatch(/tablecast: warning: --postgres: the URL holds a password, .*set PGPASSWORD instead/)
  })

  it("redacts a write key given as its own argument too, in a dry run that reads the example", async () => {
    const writeKey = "wk_debug_secret_a91c"
    const result = await runCli(
      ["sync", "-f", example, "-e", "E", "-u", "customer_id", "--write-key", writeKey, "--dry-run", "--progress", "none"],
      { env: { DEBUG: "*" } }
    )
    expect(result.code).toBe(0)
    expect(result.stderr).toMatch(/oclif/)
    expect(result.stdout + result.stderr).not.toContain(writeKey)
  })
})

describe("secretFlagWarnings", () => {
  it("warns for a write key flag and passwords in URLs, not for URLs without one", async () => {
    expect(await secretFlagWarnings({ "write-key": "x" })).toHaveLength(1)
    expect(await secretFlagWarnings({ postgres: "postgres://u@h/d", "state-postgres": "env" })).toEqual([])
    expect((await secretFlagWarnings({ snowflake: "snowflake://u:p@acct/db" }))[0]).toMatch(/SNOWFLAKE_PASSWORD/)
  })

  it("names the variable the source's adapter reads, flag by flag in the order of the flags", async () => {
    expect(await secretFlagWarnings({ "state-postgres": "postgres://u:p@h/s", postgres: "postgres://u:p@h/d" })).toEqual([
      "--postgres: the URL holds a password, visible in the process list and the shell history; leave it out of the URL and set PGPASSWORD instead",
      "--state-postgres: the URL holds a password, visible in the process list and the shell history; leave it out of the URL and set PGPASSWORD instead"
    ])
  })
})
