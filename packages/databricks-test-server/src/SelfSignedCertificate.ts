import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import path from "node:path"

export interface Certificate {
  readonly cert: string
  readonly key: string
}

/**
 * A throwaway certificate for 127.0.0.1, localhost and any host names given (a workspace name the
 * tests reach through a proxy), made by the openssl command: the driver
 * speaks HTTPS only, and the tests hand this certificate to it as `customCaCert`, so certificate
 * checking stays on.
 */
export const selfSignedCertificate = (hostnames: ReadonlyArray<string> = []): Certificate => {
  const folder = mkdtempSync(path.join(tmpdir(), "tablecast-dbx-cert-"))
  try {
    const keyFile = path.join(folder, "key.pem")
    const certFile = path.join(folder, "cert.pem")
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        keyFile,
        "-out",
        certFile,
        "-days",
        "2",
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        `subjectAltName=${["IP:127.0.0.1", "DNS:localhost", ...hostnames.map((name) => `DNS:${name}`)].join(",")}`
      ],
      { stdio: "ignore" }
    )
    return { cert: readFileSync(certFile, "utf8"), key: readFileSync(keyFile, "utf8") }
  } finally {
    rmSync(folder, { recursive: true, force: true })
  }
}
