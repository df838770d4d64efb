import { randomBytes } from "node:crypto"
import type http from "node:http"

/** A service principal the test server's token endpoint knows. */
export interface ServicePrincipal {
  readonly clientId: string
  readonly clientSecret: string
}

/** One request to the token endpoint, as received (never the secret). */
export interface TokenRequest {
  readonly clientId: string
  readonly grantType: string
  readonly scope: string
  readonly granted: boolean
}

const json = (response: http.ServerResponse, status: number, body: unknown) =>
  response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body))

/** An access token shaped as Databricks issues them: a JWT, whose `exp` the driver reads to know when to ask again. */
const accessToken = (clientId: string): string => {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url")
  const now = Math.floor(Date.now() / 1000)
  return `${part({ alg: "RS256", typ: "JWT" })}.${part({ sub: clientId, scope: "all-apis", iat: now, exp: now + 3600 })}.${randomBytes(32).toString("base64url")}`
}

const readBody = (request: http.IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    let body = ""
    request.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")))
    request.on("end", () => resolve(body))
    request.on("error", reject)
  })

/**
 * The workspace's OAuth endpoints the driver's machine-to-machine flow calls: OIDC discovery
 * (`GET /oidc/.well-known/oauth-authorization-server`) and the token endpoint
 * (`POST /oidc/v1/token`, `grant_type=client_credentials`, the client id and secret in HTTP Basic
 * auth as `client_secret_basic`). A wrong secret is refused as Databricks does: 401 `invalid_client`.
 */
export const makeOAuthEndpoints = (principal: ServicePrincipal) => {
  const issued = new Set<string>()
  const requests: Array<TokenRequest> = []
  const handle = async (request: http.IncomingMessage, response: http.ServerResponse, pathname: string): Promise<boolean> => {
    const origin = `https://${request.headers.host ?? "127.0.0.1"}`
    if (request.method === "GET" && pathname === "/oidc/.well-known/oauth-authorization-server") {
      json(response, 200, {
        issuer: `${origin}/oidc`,
        authorization_endpoint: `${origin}/oidc/v1/authorize`,
        token_endpoint: `${origin}/oidc/v1/token`,
        grant_types_supported: ["client_credentials", "authorization_code", "refresh_token"],
        token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post", "none"],
        scopes_supported: ["all-apis", "sql", "offline_access"]
      })
      return true
    }
    if (request.method === "POST" && pathname === "/oidc/v1/token") {
      const form = new URLSearchParams(await readBody(request))
      const basic = /^Basic (.+)$/i.exec(request.headers.authorization ?? "")?.[1]
      const [id, secret] = (basic === undefined ? ":" : Buffer.from(basic, "base64").toString("utf8")).split(":").map(decodeURIComponent) as [
        string,
        string | undefined
      ]
      const granted = id === principal.clientId && secret === principal.clientSecret
      requests.push({ clientId: id, grantType: form.get("grant_type") ?? "", scope: form.get("scope") ?? "", granted })
      if (!granted) {
        json(response, 401, { error: "invalid_client", error_description: "Client authentication failed" })
        return true
      }
      if (form.get("grant_type") !== "client_credentials") {
        json(response, 400, { error: "unsupported_grant_type", error_description: "only client_credentials here" })
        return true
      }
      const token = accessToken(id)
      issued.add(token)
      json(response, 200, { access_token: token, token_type: "Bearer", scope: form.get("scope") ?? "all-apis", expires_in: 3600 })
      return true
    }
    return false
  }
  return { handle, issued, requests }
}
