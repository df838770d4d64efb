import type { IncrementalSpec } from "./IncrementalSpec.ts"
import {
  type BuiltMessage,
  callsOf,
  deterministicMessageId,
  type LibraryInfo,
  type MessageMapper,
  SegmentLimits,
  utf8ByteLength
} from "@tablecast/core"
import type { SnapshotEntry } from "./Snapshot.ts"
import type { IncrementalSyncSpec } from "./IncrementalSyncSpec.ts"

export const DEFAULT_REMOVED_EVENT = "Segment Exited"

/** What a removal sends, from the sync's type and its `removed` settings. */
export const removalCalls = (spec: IncrementalSyncSpec, settings: IncrementalSpec) => {
  const removed = settings.removed ?? {}
  const calls = callsOf(spec.type)
  // A group's traits are the account's, not the user's: a removal clears only identify traits; a
  // sync without identify says the row left with the removal event.
  const clearTraits = removed.clearTraits ?? calls.includes("identify")
  const event = removed.event ?? (spec.type === "identify" ? undefined : DEFAULT_REMOVED_EVENT)
  return { clearTraits, event }
}

export type BuiltRemoval =
  | { readonly ok: true; readonly user: string; readonly messages: ReadonlyArray<BuiltMessage> }
  | { readonly ok: false; readonly reason: string }

/**
 * Builds the messages that tell Segment a row left the table: a track of the removal event with
 * the key, and/or an identify that sets each trait last sent to null. The ids and traits come from
 * the values the snapshot kept, mapped by the sync's own mapper, so they are the ones Segment has.
 */
export const compileRemoval = (
  spec: IncrementalSyncSpec,
  namespace: string,
  keyColumns: ReadonlyArray<string>,
  settings: IncrementalSpec,
  map: MessageMapper,
  library: LibraryInfo
) => {
  const { clearTraits, event } = removalCalls(spec, settings)
  const context = { ...spec.context, library: { name: library.name, version: library.version } }
  return (entry: SnapshotEntry, rowNumber: number): BuiltRemoval => {
    const values = JSON.parse(entry.values) as Record<string, unknown>
    const mapped = map({ rowNumber, values })
    if (!mapped.ok) return { ok: false, reason: `the removed row's last values no longer map: ${mapped.reason}` }
    const last = JSON.parse(mapped.messages[0]!.json) as Record<string, unknown>
    const ids: Record<string, unknown> = {}
    if (last["userId"] !== undefined) ids["userId"] = last["userId"]
    if (last["anonymousId"] !== undefined) ids["anonymousId"] = last["anonymousId"]
    const user = String(last["userId"] ?? last["anonymousId"])
    const keyValues = JSON.parse(entry.key) as Array<unknown>
    const messages: Array<BuiltMessage> = []
    const build = (type: "track" | "identify", body: Record<string, unknown>) => {
      const content = JSON.stringify(body)
      // The removal of this very content: a retry keeps the id, a later removal of new content does not.
      const messageId = deterministicMessageId(namespace, `removed\u0000${entry.key}\u0000${entry.fingerprint}\n${content}`)
      const json = JSON.stringify({
        ...body,
        context,
        ...(spec.integrations === undefined ? {} : { integrations: spec.integrations }),
        messageId
      })
      const bytes = utf8ByteLength(json)
      if (bytes > SegmentLimits.maxMessageBytes)
        return `${type} message is ${bytes} bytes, over Segment's ${SegmentLimits.maxMessageBytes}-byte limit per message`
      messages.push({ rowNumber, type, messageId, json, bytes })
      return undefined
    }
    if (clearTraits) {
      // An identify or a "both" sync maps its identify first: `last` is the identify Segment has.
      const traits: Record<string, null> = {}
      const lastTraits = (last["traits"] ?? {}) as Record<string, unknown>
      for (const name of Object.keys(lastTraits)) {
        Object.defineProperty(traits, name, { value: null, enumerable: true, writable: true, configurable: true })
      }
      const failed = build("identify", { type: "identify", ...ids, traits })
      if (failed !== undefined) return { ok: false, reason: failed }
    }
    if (event !== undefined) {
      const properties: Record<string, unknown> = {}
      keyColumns.forEach((column, index) => {
        Object.defineProperty(properties, column, { value: keyValues[index], enumerable: true, writable: true, configurable: true })
      })
      Object.defineProperty(properties, "sync", { value: namespace, enumerable: true, writable: true, configurable: true })
      const failed = build("track", { type: "track", ...ids, event, properties })
      if (failed !== undefined) return { ok: false, reason: failed }
    }
    return { ok: true, user, messages }
  }
}
