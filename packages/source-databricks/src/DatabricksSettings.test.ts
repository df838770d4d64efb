import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { describe, expect, it } from "vitest"
import { resolveSettings } from "./DatabricksSettings.ts"
import { DatabricksSourceOptions } from "./DatabricksSourceOptions.ts"

const options = DatabricksSourceOptions.parse({ table: "t" })
const base = { DATABRICKS_HOST: "https://dbc-1.cloud.databricks.com/", DATABRICKS_HTTP_PATH: "sql/1.0/warehouses/abc" }
const settle = (env: Record<string, string>) => Effect.runSyncExit(resolveSettings(options, env))
const failure = (env: Record<string, string>) => {
  const exit = settle(env)
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  return String(exit.cause)
}

describe("Databricks connection settings", () => {
  it("takes the host, path and a personal access token from the environment", () => {
    const exit = settle({ ...base, DATABRICKS_TOKEN: "dapi-secret" })
    if (Exit.isFailure(exit)) throw new Error(String(exit.cause))
    expect(exit.value).toMatchObject({
      host: "dbc-1.cloud.databricks.com",
      port: 443,
      httpPath: "/sql/1.0/warehouses/abc",
      credentials: { _tag: "Token" }
    })
    expect(exit.value.secrets).toEqual(["dapi-secret"])
    expect(exit.value.description).not.toContain("dapi-secret")
  })

  it("takes OAuth M2M client credentials, keeping the secret secret", () => {
    const exit = settle({ ...base, DATABRICKS_CLIENT_ID: "sp-id", DATABRICKS_CLIENT_SECRET: "dose-secret" })
    if (Exit.isFailure(exit)) throw new Error(String(exit.cause))
    expect(exit.value.credentials).toEqual({ _tag: "OAuthM2M", clientId: "sp-id", clientSecret: "dose-secret" })
    expect(exit.value.secrets).toEqual(["dose-secret"])
  })

  it("refuses no credentials, half of M2M, and both kinds at once", () => {
    expect(failure(base)).toMatch(/no credentials: set DATABRICKS_TOKEN/)
    expect(failure({ ...base, DATABRICKS_CLIENT_ID: "sp-id" })).toMatch(/DATABRICKS_CLIENT_SECRET is not set/)
    expect(failure({ ...base, DATABRICKS_TOKEN: "x", DATABRICKS_CLIENT_ID: "a", DATABRICKS_CLIENT_SECRET: "b" })).toMatch(/keep one way/)
  })

  it("refuses a missing host or path and a host that is a URL with a path", () => {
    expect(failure({ DATABRICKS_HTTP_PATH: "/p", DATABRICKS_TOKEN: "x" })).toMatch(/no host/)
    expect(failure({ DATABRICKS_HOST: "h", DATABRICKS_TOKEN: "x" })).toMatch(/no HTTP path/)
    expect(failure({ ...base, DATABRICKS_HOST: "https://h.example/sql", DATABRICKS_TOKEN: "x" })).toMatch(/not a server hostname/)
  })

  it("takes a port written after the host, and refuses two different ports", () => {
    const exit = settle({ ...base, DATABRICKS_HOST: "https://127.0.0.1:8443/", DATABRICKS_TOKEN: "x" })
    if (Exit.isFailure(exit)) throw new Error(String(exit.cause))
    expect(exit.value).toMatchObject({ host: "127.0.0.1", port: 8443 })
    const both = Effect.runSyncExit(
      resolveSettings(DatabricksSourceOptions.parse({ table: "t", port: 443 }), {
        ...base,
        DATABRICKS_HOST: "h.example:8443",
        DATABRICKS_TOKEN: "x"
      })
    )
    expect(String(Exit.isFailure(both) ? both.cause : "")).toMatch(/names port 8443 and port says 443/)
    expect(failure({ ...base, DATABRICKS_HOST: "h.example:99999", DATABRICKS_TOKEN: "x" })).toMatch(/not a server hostname/)
  })

  it("goes through HTTPS_PROXY unless NO_PROXY names the host, its password kept secret", () => {
    const proxied = settle({ ...base, DATABRICKS_TOKEN: "x", HTTPS_PROXY: "http://user:p%40ss@proxy.corp:3128" })
    if (Exit.isFailure(proxied)) throw new Error(String(proxied.cause))
    expect(proxied.value.proxy).toEqual({ protocol: "http", host: "proxy.corp", port: 3128, auth: { username: "user", password: "p@ss" } })
    expect(proxied.value.secrets).toContain("p@ss")
    for (const noProxy of ["dbc-1.cloud.databricks.com", ".cloud.databricks.com", "databricks.com", "*", "dbc-1.cloud.databricks.com:443"]) {
      const exempt = settle({ ...base, DATABRICKS_TOKEN: "x", HTTPS_PROXY: "http://proxy.corp:3128", NO_PROXY: `localhost,${noProxy}` })
      if (Exit.isFailure(exempt)) throw new Error(String(exempt.cause))
      expect(exempt.value.proxy, noProxy).toBeUndefined()
    }
    const otherPort = settle({
      ...base,
      DATABRICKS_TOKEN: "x",
      HTTPS_PROXY: "http://proxy.corp:3128",
      NO_PROXY: "dbc-1.cloud.databricks.com:8443 other.example"
    })
    if (Exit.isFailure(otherPort)) throw new Error(String(otherPort.cause))
    expect(otherPort.value.proxy).toBeDefined()
    expect(failure({ ...base, DATABRICKS_TOKEN: "x", HTTPS_PROXY: "socks5://proxy.corp:1080" })).toMatch(/HTTPS_PROXY must be an http/)
  })
})
