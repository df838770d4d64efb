import { describe, expect, it } from "vitest"
import { connectOptions } from "./DatabricksDriver.ts"
import type { DatabricksSettings } from "./DatabricksSettings.ts"

const settings = (credentials: DatabricksSettings["credentials"]): DatabricksSettings => ({
  host: "dbc-1.cloud.databricks.com",
  port: 443,
  httpPath: "/sql/1.0/warehouses/abc",
  catalog: undefined,
  schema: undefined,
  credentials,
  caCert: undefined,
  proxy: undefined,
  queryTimeoutSeconds: undefined,
  secrets: [],
  description: "Databricks dbc-1.cloud.databricks.com/sql/1.0/warehouses/abc"
})

describe("the driver's connection options", () => {
  it("a personal access token goes as the token; exact numbers, no cloud fetch, no telemetry", () => {
    expect(connectOptions(settings({ _tag: "Token", token: "dapi-x" }))).toMatchObject({
      host: "dbc-1.cloud.databricks.com",
      path: "/sql/1.0/warehouses/abc",
      token: "dapi-x",
      preserveBigNumericPrecision: true,
      useCloudFetch: false,
      telemetryEnabled: false
    })
  })

  it("OAuth M2M goes as the driver's databricks-oauth with the service principal's client id and secret", () => {
    const options = connectOptions(settings({ _tag: "OAuthM2M", clientId: "sp-id", clientSecret: "dose-x" }))
    expect(options).toMatchObject({ authType: "databricks-oauth", oauthClientId: "sp-id", oauthClientSecret: "dose-x" })
    expect(options).not.toHaveProperty("token")
  })
})
