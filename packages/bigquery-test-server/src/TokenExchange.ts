import { createPublicKey, randomBytes, verify } from "node:crypto"

/**
 * The OAuth 2.0 JWT-bearer token exchange of a service account (RFC 7523), as Google's token
 * endpoint answers it: the assertion must be an RS256 JWT signed by a registered key, issued by
 * the account's email, for the audience `https://oauth2.googleapis.com/token`, unexpired, with
 * a scope. The answer is an access token the API endpoints then require.
 */
export const GOOGLE_TOKEN_AUDIENCE = "https://oauth2.googleapis.com/token"

export interface ServiceAccount {
  readonly email: string
  /** PEM of the public half of the account's key. */
  readonly publicKeyPem: string
}

export type TokenAnswer =
  | { readonly ok: true; readonly accessToken: string; readonly email: string; readonly scope: string }
  | { readonly ok: false; readonly error: string; readonly description: string }

const decodeJson = (part: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as Record<string, unknown>

export const exchangeAssertion = (form: URLSearchParams, accounts: ReadonlyArray<ServiceAccount>, nowSeconds: number): TokenAnswer => {
  const refuse = (description: string): TokenAnswer => ({ ok: false, error: "invalid_grant", description })
  if (form.get("grant_type") !== "urn:ietf:params:oauth:grant-type:jwt-bearer") {
    return { ok: false, error: "unsupported_grant_type", description: "Invalid grant_type." }
  }
  const parts = (form.get("assertion") ?? "").split(".")
  if (parts.length !== 3) return refuse("Invalid JWT.")
  const [headerPart, claimsPart, signaturePart] = parts as [string, string, string]
  let header: Record<string, unknown>
  let claims: Record<string, unknown>
  try {
    header = decodeJson(headerPart)
    claims = decodeJson(claimsPart)
  } catch {
    return refuse("Invalid JWT.")
  }
  if (header.alg !== "RS256") return refuse("Invalid JWT: only RS256 is accepted.")
  const account = accounts.find((each) => each.email === claims.iss)
  if (account === undefined) return refuse("Invalid JWT: no such service account.")
  const signed = verify(
    "RSA-SHA256",
    Buffer.from(`${headerPart}.${claimsPart}`),
    createPublicKey(account.publicKeyPem),
    Buffer.from(signaturePart, "base64url")
  )
  if (!signed) return refuse("Invalid JWT Signature.")
  if (claims.aud !== GOOGLE_TOKEN_AUDIENCE) return refuse(`Invalid JWT: the audience must be ${GOOGLE_TOKEN_AUDIENCE}.`)
  if (typeof claims.exp !== "number" || claims.exp <= nowSeconds)
    return refuse("Invalid JWT: Token must be a short-lived token and in a reasonable timeframe.")
  if (typeof claims.scope !== "string" || claims.scope === "") return refuse("Invalid JWT: no scope.")
  return { ok: true, accessToken: `test-token-${randomBytes(12).toString("hex")}`, email: account.email, scope: claims.scope }
}
