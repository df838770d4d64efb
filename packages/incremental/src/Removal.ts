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

/**
 * What a removal sends, from the sync's type and its `removed` settings. Each call clears what it
 * set: an identify sets the user's traits last sent to null, a group call the account's (as
 * reverse-ETL tools "clear fields" of a removed record); the removal event is a track sync's,
 * sent by the others only when `removed.event` names it.
 */
export const removalCalls = (spec: IncrementalSyncSpec, settings: IncrementalSpec) => {
  const removed = settings.removed ?? {}
  const calls = callsOf(spec.type)
  const clearTraits = removed.clearTraits ?? calls.includes("identify")
  const clearGroupTraits = removed.clearGroupTraits ?? calls.includes("group")
  const event = removed.event ?? (calls.includes("track") ? DEFAULT_REMOVED_EVENT : undefined)
  return { clearTraits, clearGroupTraits, event }
}

/** A copy of an object's keys, each set to null: the traits that clear those last sent. */
const nulled = (last: unknown): Record<string, null> => {
  const traits: Record<string, null> = {}
  for (const name of Object.keys((last ?? {}) as Record<string, unknown>)) {
    Object.defineProperty(traits, name, { value: null, enumerable: true, writable: true, configurable: true })
  }
  return traits
}

export type BuiltRemoval =
  | { readonly ok: true; readonly user: string; readonly messages: ReadonlyArray<BuiltMessage> }
  | { readonly ok: false; readonly reason: string }

/**
 * Builds the messages that tell Segment a row left the table: an identify that sets each trait
 * last sent to null, a group call that does the same for the account's traits, and/or a track of
 * the removal event with the key. The ids and traits come from
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
  const { clearTraits, clearGroupTraits, event } = removalCalls(spec, settings)
  const context = { ...spec.context, library: { name: library.name, version: library.version } }
  return (entry: SnapshotEntry, rowNumber: number): BuiltRemoval => {
    const values = JSON.parse(entry.values) as Record<string, unknown>
    const mapped = map({ rowNumber, values })
    if (!mapped.ok) return { ok: false, reason: `the removed row's last values no longer map: ${mapped.reason}` }
    const lastOf = (type: BuiltMessage["type"]) => {
      const message = mapped.messages.find((built) => built.type === type)
      return message === undefined ? undefined : (JSON.parse(message.json) as Record<string, unknown>)
    }
    const last = JSON.parse(mapped.messages[0]!.json) as Record<string, unknown>
    const ids: Record<string, unknown> = {}
    if (last["userId"] !== undefined) ids["userId"] = last["userId"]
    if (last["anonymousId"] !== undefined) ids["anonymousId"] = last["anonymousId"]
    const user = String(last["userId"] ?? last["anonymousId"])
    const keyValues = JSON.parse(entry.key) as Array<unknown>
    const messages: Array<BuiltMessage> = []
    const build = (type: BuiltMessage["type"], body: Record<string, unknown>) => {
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
    // In the order a row's calls go: identify, group, track.
    const identify = clearTraits ? lastOf("identify") : undefined
    if (identify !== undefined) {
      const failed = build("identify", { type: "identify", ...ids, traits: nulled(identify["traits"]) })
      if (failed !== undefined) return { ok: false, reason: failed }
    }
    const group = clearGroupTraits ? lastOf("group") : undefined
    if (group !== undefined) {
      const failed = build("group", { type: "group", ...ids, groupId: group["groupId"], traits: nulled(group["traits"]) })
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
