import { sha256 } from "@noble/hashes/sha2.js"
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js"

/**
 * Segment deduplicates on `messageId` alone, across all of its customers, for about a day. An id
 * derived from the sync's namespace and the message's content makes a retried or re-run row land
 * once, and a 128-bit slice of SHA-256 keeps ids of different customers apart.
 */
export const MESSAGE_ID_PREFIX = "tablecast-"

/**
 * The messageId scheme, recorded in checkpoints and snapshots. 1: every message's id hashes its
 * namespace and content, so identical rows shared one id (and Segment kept one of them). 2: the
 * first occurrence of a content in a run keeps the id of scheme 1; its k-th occurrence (k ≥ 2) in
 * the same run gets `repeatMessageId(namespace, firstId, k)`. Keyed messages are the same in both.
 */
export const MESSAGE_ID_SCHEME = 2

/** SHA-256 of a string's UTF-8 bytes, as lowercase hex. */
type Sha256Hex = (text: string) => string

/** The portable hash: plain JavaScript, for runtimes without Node's crypto. */
export const portableSha256Hex: Sha256Hex = (text) => bytesToHex(sha256(utf8ToBytes(text)))

/**
 * Node's native one-shot hash, about ten times faster than the portable one on a message, found at
 * run time (`process.getBuiltinModule`) so that this module imports nothing from `node:` and still
 * loads on Workers. Used only if it gives the portable hash's answer on a sample.
 */
const nativeSha256Hex = (): Sha256Hex | undefined => {
  try {
    const process = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
    const crypto = process?.getBuiltinModule?.("node:crypto") as
      | { hash?: (algorithm: string, data: string, encoding: "hex") => string }
      | undefined
    const hash = crypto?.hash
    if (typeof hash !== "function") return undefined
    const native: Sha256Hex = (text) => hash("sha256", text, "hex")
    const sample = "tablecast é 😀 \ud800"
    return native(sample) === portableSha256Hex(sample) ? native : undefined
  } catch {
    return undefined
  }
}

const sha256Hex: Sha256Hex = nativeSha256Hex() ?? portableSha256Hex

/** `tablecast-` + 32 hex characters: 42 characters, well under Segment's 100. */
export const deterministicMessageId = (namespace: string, content: string): string =>
  // The namespace is length-prefixed so that no (namespace, content) pair can spell another.
  MESSAGE_ID_PREFIX + sha256Hex(`${namespace.length}:${namespace}\n${content}`).slice(0, 32)

/**
 * The id of the k-th occurrence (k ≥ 2) in a run of a content whose first occurrence has the id
 * `firstId`: the hash of the namespace, the occurrence number and the first id (itself the hash of
 * the content). Its input starts with "repeat", which no row's content does (a message body starts
 * with `{`, a key with `[`), so it can spell no other message's id.
 */
export const repeatMessageId = (namespace: string, firstId: string, occurrence: number): string =>
  deterministicMessageId(namespace, `repeat\u0000${occurrence}\u0000${firstId}`)

/**
 * What the run's repeat counter knows a content by: the first 64 bits (16 hex digits) of its
 * first id's hash. Keys of a mapper's `repeatsBefore`.
 */
export const repeatKey = (firstId: string): string => firstId.slice(MESSAGE_ID_PREFIX.length, MESSAGE_ID_PREFIX.length + 16)
