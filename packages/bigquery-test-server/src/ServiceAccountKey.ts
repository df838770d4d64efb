import { generateKeyPairSync } from "node:crypto"
import { writeFileSync } from "node:fs"
import { join } from "node:path"

/** A throwaway service account: a fresh RSA key, its public half for the server, its key file for the client. */
export interface TestServiceAccount {
  readonly email: string
  readonly publicKeyPem: string
  readonly privateKeyPem: string
  /** The key file (Google's JSON shape), `token_uri` set by `writeKeyFile`. */
  readonly keyFile: string
  /** (Re)writes the key file with its token exchange at `tokenUri` (the test server's `${url}/token`). */
  readonly writeKeyFile: (tokenUri: string) => void
}

export const makeServiceAccount = (folder: string, name: string, projectId: string): TestServiceAccount => {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 })
  const privateKeyPem = privateKey.export({ format: "pem", type: "pkcs8" }).toString()
  const email = `${name}@${projectId}.iam.gserviceaccount.com`
  const keyFile = join(folder, `${name}.json`)
  const writeKeyFile = (tokenUri: string) =>
    writeFileSync(
      keyFile,
      JSON.stringify({
        type: "service_account",
        project_id: projectId,
        private_key_id: `${name}-key-1`,
        private_key: privateKeyPem,
        client_email: email,
        client_id: "1",
        token_uri: tokenUri
      }),
      { mode: 0o600 }
    )
  writeKeyFile("http://127.0.0.1:1/token")
  return { email, publicKeyPem: publicKey.export({ format: "pem", type: "spki" }).toString(), privateKeyPem, keyFile, writeKeyFile }
}
