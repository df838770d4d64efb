import { describe, expect, it } from "vitest"
import { redshiftRefusal, serverOf } from "./PostgresServer.ts"

// version() as each server answers it. Only PostgreSQL runs here: the Redshift texts follow the
// form Redshift answers in (PostgreSQL 8.0.2 ..., Redshift 1.0.N); none was obtained from a cluster.
const POSTGRES = "PostgreSQL 16.4 (Debian 16.4-1.pgdg120+2) on x86_64-pc-linux-gnu, compiled by gcc (Debian 12.2.0-14) 12.2.0, 64-bit"
const REDSHIFT = "PostgreSQL 8.0.2 on i686-pc-linux-gnu, compiled by GCC gcc (GCC) 3.4.2 20041017 (Red Hat 3.4.2-6.fc3), Redshift 1.0.77467"

describe("serverOf", () => {
  it("tells Redshift from PostgreSQL by the version() text, with Redshift's own version", () => {
    expect(serverOf(POSTGRES)).toEqual({ kind: "postgres" })
    expect(serverOf(REDSHIFT)).toEqual({ kind: "redshift", version: "1.0.77467" })
    expect(serverOf("PostgreSQL 8.0.2 on i686-pc-linux-gnu, compiled by GCC gcc (GCC) 3.4.2 20041017, Redshift 1.0.108391")).toEqual({
      kind: "redshift",
      version: "1.0.108391"
    })
    // A PostgreSQL that merely mentions the word is not Redshift.
    expect(serverOf("PostgreSQL 17.0 on x86_64 (built for redshift-migration tests)")).toEqual({ kind: "postgres" })
  })
})

describe("redshiftRefusal", () => {
  it("refuses Redshift with a SourceError that says why and what to do instead, and lets PostgreSQL through", () => {
    expect(redshiftRefusal(serverOf(POSTGRES), "postgres://app@db:5432/shop")).toBeUndefined()
    const refusal = redshiftRefusal(serverOf(REDSHIFT), "postgres://app@cluster:5439/dev")
    expect(refusal?.code).toBe("unsupported")
    expect(refusal?.message).toMatch(
      /^postgres:\/\/app@cluster:5439\/dev is Amazon Redshift 1\.0\.77467, which the Postgres source does not read: /
    )
    expect(refusal?.message).toContain("UNLOAD ... FORMAT PARQUET")
  })
})
