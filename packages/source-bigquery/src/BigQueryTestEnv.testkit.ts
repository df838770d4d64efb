import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import {
  type BigQueryTestServer,
  type BigQueryTestServerConfig,
  makeServiceAccount,
  startBigQueryTestServer
} from "@tablecast/bigquery-test-server"

/**
 * The BigQuery REST test server (in a child process, DuckDB behind it) with a throwaway service
 * account: an RSA key made for the run, its public half registered with the server, its key file
 * written with `token_uri` pointing at the server, so the client's token exchange stays on loopback.
 */
export interface BigQueryTestEnv {
  readonly server: BigQueryTestServer
  readonly projectId: string
  /** The environment a source reads: GOOGLE_APPLICATION_CREDENTIALS names the key file. */
  readonly env: Readonly<Record<string, string>>
  /** A key file of an account the server does not know. */
  readonly strangerEnv: Readonly<Record<string, string>>
  /** The private key's PEM, to check that it never shows in a message. */
  readonly privateKeyPem: string
  readonly close: () => Promise<void>
}

export const PROJECT_ID = "tablecast-test"

export const startTestEnv = async (config: Partial<BigQueryTestServerConfig> = {}): Promise<BigQueryTestEnv> => {
  const dir = mkdtempSync(join(tmpdir(), "tablecast-bq-"))
  const account = makeServiceAccount(dir, "sync", PROJECT_ID)
  const stranger = makeServiceAccount(dir, "stranger", PROJECT_ID)
  const server = await startBigQueryTestServer({
    projectId: PROJECT_ID,
    serviceAccounts: [{ email: account.email, publicKeyPem: account.publicKeyPem }],
    ...config
  })
  account.writeKeyFile(`${server.url}/token`)
  stranger.writeKeyFile(`${server.url}/token`)
  return {
    server,
    projectId: PROJECT_ID,
    env: { GOOGLE_APPLICATION_CREDENTIALS: account.keyFile },
    strangerEnv: { GOOGLE_APPLICATION_CREDENTIALS: stranger.keyFile },
    privateKeyPem: account.privateKeyPem,
    close: () => server.stop()
  }
}
