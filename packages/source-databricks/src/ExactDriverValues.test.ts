import { startDatabricksTestServer } from "@tablecast/databricks-test-server"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { loadDriver } from "./DatabricksDriver.ts"
import { DecimalText, MicrosecondTimestamp } from "./ExactDriverValues.ts"

const TOKEN = "dapi-exact-values-test"
let server: Awaited<ReturnType<typeof startDatabricksTestServer>>

beforeAll(async () => {
  server = await startDatabricksTestServer({ token: TOKEN })
})
afterAll(() => server.close())

const QUERY = "SELECT TIMESTAMPTZ '2024-01-02 03:04:05.123456+00' AS at, [1.5::DECIMAL(10, 2)] AS amounts"

describe("the driver's values for tablecast's clients, and for everyone else", () => {
  it("another client of the driver in the same process still gets the driver's own values (a Date to the millisecond, text)", async () => {
    // Loading through tablecast installs the exact reading; a client tablecast did not make is left alone.
    const { DBSQLClient } = await loadDriver()
    const client = new DBSQLClient({ logger: { log: () => {} } as never })
    await client.connect({
      host: server.host,
      port: server.port,
      path: server.path,
      token: TOKEN,
      customCaCert: server.caCert,
      preserveBigNumericPrecision: true,
      useCloudFetch: false,
      telemetryEnabled: false
    } as never)
    const session = await client.openSession()
    const operation = await session.executeStatement(QUERY)
    const [row] = (await operation.fetchAll()) as Array<{ at: unknown; amounts: Array<unknown> }>
    await operation.close()
    await session.close()
    await client.close()
    expect(row!.at).toBeInstanceOf(Date)
    expect(row!.at).not.toBeInstanceOf(MicrosecondTimestamp)
    expect((row!.at as Date).toISOString()).toBe("2024-01-02T03:04:05.123Z")
    expect(row!.amounts).toEqual(["1.50"])
    expect(row!.amounts[0]).not.toBeInstanceOf(DecimalText)
  })

  it("a MicrosecondTimestamp is the Date of its millisecond, before 1970 too", () => {
    expect(new MicrosecondTimestamp(1_704_164_645_123_456n).toISOString()).toBe("2024-01-02T03:04:05.123Z")
    expect(new MicrosecondTimestamp(-1n).toISOString()).toBe("1969-12-31T23:59:59.999Z")
  })
})
