import { sha256 } from "@noble/hashes/sha2.js"
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js"

/**
 * Segment deduplicates on `messageId` alone, across all of its customers, for about a day. An id
 * derived from the sync's namespace and the message's content makes a retried or re-run row land
 * once, and a 128-bit slice of SHA-256 keeps ids of different customers apart.
 */
export const MESSAGE_ID_PREFIX = "tablecast-"

/** `tablecast-` + 32 hex characters: 42 characters, well under Segment's 100. */
export const deterministicMessageId = (namespace: string, content: string): string =>
  // The namespace is length-prefixed so that no (namespace, content) pair can spell another.
  MESSAGE_ID_PREFIX + bytesToHex(sha256(utf8ToBytes(`${namespace.length}:${namespace}\n${content}`))).slice(0, 32)
