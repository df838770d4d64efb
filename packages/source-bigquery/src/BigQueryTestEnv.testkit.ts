import { generateKeyPairSync } from "node:crypto"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type BigQueryTestServer, type BigQueryTestServerConfig, startBigQueryTestServer } from "@tablecast/bigquery-test-server"

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
  const makeKey = (name: string, email: string, tokenUri: string) => {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 })
    const pem = privateKey.export({ format: "pem", type: "pkcs8" }).toString()
    const path = join(dir, `${name}.json`)
    const write = (uri: string) =>
      writeFileSync(
        path,
        JSON.stringify({
          type: "service_account",
          project_id: PROJECT_ID,
          private_key_id: `${name}-key-1`,
          private_key: pem,
          client_email: email,
          client_id: "1",
          token_uri: uri
        }),
        { mode: 0o600 }
      )
    write(tokenUri)
    return { path, pem, publicKeyPem: publicKey.export({ format: "pem", type: "spki" }).toString(), write }
  }
  const email = `sync@${PROJECT_ID}.iam.gserviceaccount.com`
  const account = makeKey("sync", email, "http://127.0.0.1:1/token")
  const stranger = makeKey("stranger", `stranger@${PROJECT_ID}.iam.gserviceaccount.com`, "http://127.0.0.1:1/token")
  const server = await startBigQueryTestServer({
    projectId: PROJECT_ID,
    serviceAccounts: [{ email, publicKeyPem: account.publicKeyPem }],
    ...config
  })
  account.write(`${server.url}/token`)
  stranger.write(`${server.url}/token`)
  return {
    server,
    projectId: PROJECT_ID,
    env: { GOOGLE_APPLICATION_CREDENTIALS: account.path },
    strangerEnv: { GOOGLE_APPLICATION_CREDENTIALS: stranger.path },
    privateKeyPem: account.pem,
    close: () => server.stop()
  }
}
