import * as Redacted from "effect/Redacted"
import type { SealedWriteKey } from "./SealedWriteKey.ts"

export type { SealedWriteKey } from "./SealedWriteKey.ts"

/**
 * A per-request write key must travel with a queued run's chunks to the consumers. It is sealed
 * first (AES-256-GCM, WebCrypto, so the same on Workers and Node), with a key derived by HKDF from
 * the deployment's bearer token and the run id as associated data: the queue, the dead-letter
 * queue and anyone who reads them see ciphertext, and a sealed key opens only for its own run.
 * Rotating the token makes chunks still queued with a sealed key undeliverable (they are
 * dead-lettered with the reason).
 */

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** What a sealed value is for: each purpose has its own key, so a sealed write key never opens as a webhook URL. */
export type SealPurpose = "write-key-seal/v1" | "webhook-url-seal/v1"

const deriveKey = async (secret: Redacted.Redacted<string>, purpose: SealPurpose): Promise<CryptoKey> => {
  const material = await crypto.subtle.importKey("raw", encoder.encode(Redacted.value(secret)), "HKDF", false, ["deriveKey"])
  return crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: encoder.encode("tablecast-edge"), info: encoder.encode(purpose) },
    material,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"]
  )
}

const toBase64Url = (bytes: Uint8Array): string => {
  let binary = ""
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "")
}

const fromBase64Url = (text: string): Uint8Array => {
  const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"))
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}

export const sealWriteKey = async (
  writeKey: Redacted.Redacted<string>,
  secret: Redacted.Redacted<string>,
  runId: string,
  /** Another purpose seals another secret the same way (a queued run's webhook URL). */
  purpose: SealPurpose = "write-key-seal/v1"
): Promise<SealedWriteKey> => {
  const iv = crypto.getRandomValues(new Uint8Array(12))
  const key = await deriveKey(secret, purpose)
  const ciphertext = new Uint8Array(
    await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: encoder.encode(runId) }, key, encoder.encode(Redacted.value(writeKey)))
  )
  const joined = new Uint8Array(iv.length + ciphertext.length)
  joined.set(iv)
  joined.set(ciphertext, iv.length)
  return { v: 1, sealed: toBase64Url(joined) }
}

/** Opens a sealed key, or gives undefined when it does not open (other token, other run, tampered). */
export const openWriteKey = async (
  sealed: SealedWriteKey,
  secret: Redacted.Redacted<string>,
  runId: string,
  purpose: SealPurpose = "write-key-seal/v1"
): Promise<Redacted.Redacted<string> | undefined> => {
  try {
    const joined = fromBase64Url(sealed.sealed)
    const key = await deriveKey(secret, purpose)
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: joined.slice(0, 12), additionalData: encoder.encode(runId) },
      key,
      joined.slice(12)
    )
    return Redacted.make(decoder.decode(plain))
  } catch {
    return undefined
  }
}
