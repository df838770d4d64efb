import { toIsoTimestamp } from "./ColumnValue.ts"
import type { ColumnTypes } from "./ColumnTyping.ts"
import { oneLineError } from "../report/ErrorText.ts"
import { SegmentLimits } from "../spec/Limits.ts"
import type { BuiltMessage, LibraryInfo } from "./BuiltMessage.ts"
import { compileColumnPlans, type PayloadPlan } from "./ColumnPlans.ts"
import { largestColumns, payloadObjectWriter, payloadSinkWriter, payloadWriter } from "./PayloadWriter.ts"
import type { ContractCheck, MessageContractShape } from "../contract/MessageContract.ts"
import { callGates, staticMembers } from "./CallGates.ts"
import { repeatNumbering } from "./RepeatNumbering.ts"
import { failure, RowFailure, type ValueRule } from "./RowFailure.ts"
import { deterministicMessageId } from "./MessageId.ts"
import type { RepeatCounterOptions } from "./RepeatCounter.ts"
import type { SourceRow } from "../source/RowSource.ts"
import { callsOf, type SyncSpec } from "../spec/SyncSpec.ts"
import { utf8ByteLength } from "./Utf8.ts"

export type { BuiltMessage, LibraryInfo }

export type MappedRow =
  | {
      readonly ok: true
      readonly messages: ReadonlyArray<BuiltMessage>
      /** A message of the row repeats the content of an earlier row of the run (its id has its occurrence number). */
      readonly repeated: boolean
      /** With `MapperOptions.contract`: what checking each message found, in the order of `messages`. */
      readonly checks?: ReadonlyArray<ContractCheck>
    }
  | { readonly ok: false; readonly reason: string; readonly column?: string; readonly rule?: ValueRule }

/** The namespace of a sync's messageIds: its name, or its call type and event. */
export const syncNamespace = (spec: SyncSpec): string => spec.name ?? `${spec.type}:${spec.event ?? ""}`

/** The columns a spec names explicitly, to check against a source's header before sending. */
export const namedColumns = (spec: SyncSpec): ReadonlyArray<string> => {
  const named = new Set<string>()
  for (const column of [spec.customerId, spec.anonymousId, spec.groupId, spec.timestamp, ...(spec.key ?? [])]) {
    if (column !== undefined) named.add(column)
  }
  for (const list of [spec.properties, spec.traits, spec.groupTraits]) {
    if (Array.isArray(list)) for (const column of list) named.add(column)
  }
  return [...named]
}

/** What `compileMapper` may be told besides the sync. */
export interface MapperOptions {
  /** `false` sends every payload through an object: the reference the tests compare with. */
  readonly directPayloads?: boolean
  /**
   * What `auto` means for each column, as the source decided it (`RowSourceShape.columnTypes`); a
   * column it leaves out is converted value by value.
   */
  readonly columnTypes?: ColumnTypes | undefined
  /**
   * `false`: every message keeps the id of its content, identical rows sharing one (scheme 1; what
   * a fingerprint wants, and a worker whose messages the run numbers with `recount`). By default
   * the mapper numbers the occurrences of each content in the order it maps rows (see
   * `MESSAGE_ID_SCHEME`): one compiled mapper per run, rows mapped in source order.
   */
  readonly countRepeats?: boolean
  /** Sizes of the counter's filter and tables (tests make them tiny). */
  readonly repeatCounter?: RepeatCounterOptions
  /**
   * For a run that continues another's rows (a queue chunk of an edge request): how many times
   * each content (by `repeatKey` of its first id) occurred in the rows before this run's. Its
   * occurrences here are numbered on from there, as one run over all the rows would number them.
   */
  readonly repeatsBefore?: ReadonlyMap<string, number> | undefined
  /**
   * A contract (a tracking plan) each message is checked against; the results are in `checks`. A message
   * the contract's `checkShape` lets the mapper judge is passed value by value as it is written; any other
   * (or one that fails there) goes to `check` as the object `JSON.parse` of its text would give.
   */
  readonly contract?: MapperContract | undefined
}

/** What a mapper needs of a run's contract. */
export type MapperContract = Pick<MessageContractShape, "check" | "checkShape">

const idValue = (values: SourceRow["values"], column: string | undefined): string | undefined | RowFailure => {
  if (column === undefined) return undefined
  const raw = values[column]
  if (raw === null || raw === undefined) return undefined
  if (typeof raw === "string") return raw.trim() === "" ? undefined : raw
  if (typeof raw === "number" || typeof raw === "bigint") return String(raw)
  return failure(`column "${column}" holds ${typeof raw === "object" ? "an object" : typeof raw}, not an id`, column)
}

const keyOf = (key: SyncSpec["key"], values: SourceRow["values"]): string | undefined =>
  key === undefined
    ? undefined
    : JSON.stringify(
        key.map((column) => values[column] ?? null),
        // A warehouse's BIGINT key arrives as a bigint, which JSON.stringify refuses.
        (_key, value: unknown) => (typeof value === "bigint" ? `${value}n` : value)
      )

/** The ids and the timestamp of a row's messages, as JSON members (and as values, for a check of the message). */
interface RowHead {
  readonly ids: string
  readonly group: string
  readonly time: string
  readonly userId: string | undefined
  readonly anonymousId: string | undefined
  readonly groupId: string | undefined
  readonly timestamp: string | undefined
}

/** The ids and the timestamp of a row's messages, as JSON members; a failure when the row has none or a bad one. */
const rowHead = (spec: SyncSpec, values: SourceRow["values"]): RowHead | RowFailure => {
  const userId = idValue(values, spec.customerId)
  if (userId instanceof RowFailure) return userId
  const anonymousId = idValue(values, spec.anonymousId)
  if (anonymousId instanceof RowFailure) return anonymousId
  if (userId === undefined && anonymousId === undefined) {
    const column = spec.customerId ?? spec.anonymousId!
    return failure(`customer id column "${column}" is empty`, column)
  }
  let timestamp: string | undefined
  if (spec.timestamp !== undefined) {
    const raw = values[spec.timestamp]
    if (raw !== null && raw !== undefined && raw !== "") {
      timestamp = toIsoTimestamp(raw)
      if (timestamp === undefined) {
        return failure(`column "${spec.timestamp}": ${JSON.stringify(String(raw))} is not a timestamp`, spec.timestamp, {
          broken: "is not a timestamp"
        })
      }
    }
  }
  let group = ""
  let groupId: string | undefined
  if (spec.groupId !== undefined) {
    const id = idValue(values, spec.groupId)
    if (id instanceof RowFailure) return id
    if (id === undefined) return failure(`group id column "${spec.groupId}" is empty`, spec.groupId)
    groupId = id
    group = `,"groupId":${JSON.stringify(id)}`
  }
  const ids =
    (userId === undefined ? "" : `,"userId":${JSON.stringify(userId)}`) +
    (anonymousId === undefined ? "" : `,"anonymousId":${JSON.stringify(anonymousId)}`)
  // An ISO timestamp holds nothing JSON escapes.
  return { ids, group, time: timestamp === undefined ? "" : `,"timestamp":"${timestamp}"`, userId, anonymousId, groupId, timestamp }
}

/** A message as the object `JSON.parse` of its text gives, in the text's member order. */
const messageObject = (
  spec: SyncSpec,
  statics: { readonly context: unknown; readonly integrations: unknown },
  call: BuiltMessage["type"],
  head: RowHead,
  payload: Record<string, unknown>,
  messageId: string
): Record<string, unknown> => {
  const message: Record<string, unknown> = { type: call }
  if (head.userId !== undefined) message.userId = head.userId
  if (head.anonymousId !== undefined) message.anonymousId = head.anonymousId
  if (call === "track") {
    if (spec.event !== undefined) message.event = spec.event
    message.properties = payload
  } else {
    if (call === "group") message.groupId = head.groupId
    message.traits = payload
  }
  if (head.timestamp !== undefined) message.timestamp = head.timestamp
  message.context = statics.context
  if (statics.integrations !== undefined) message.integrations = statics.integrations
  message.messageId = messageId
  return message
}

/**
 * Compiles a sync into a function from a row to its Segment messages. Everything that does not
 * depend on the row (column plans, the static context, the namespace) is worked out once here.
 *
 * Each message is written as text, exactly as `JSON.stringify` would write the message object
 * (the messageId hashes that text, so it must never change for an unchanged row); see
 * `map/PayloadWriter` for the payloads.
 */
export const compileMapper = (spec: SyncSpec, library: LibraryInfo, options: MapperOptions = {}) => {
  // Keyed messages keep their ids: a key says which rows are the same, and its duplicate rule stands.
  const countRepeats = (options.countRepeats ?? true) && spec.key === undefined
  const namespace = syncNamespace(spec)
  const numbering = repeatNumbering(namespace, options)
  const plans = compileColumnPlans(spec, options.columnTypes)
  const { propertiesPlan, traitsPlan, groupTraitsPlan } = plans
  const payloadJson = payloadWriter(plans, options.directPayloads ?? true)
  const payloadWithObject = payloadObjectWriter(plans, options.directPayloads ?? true)
  const payloadToGate = payloadSinkWriter(plans, options.directPayloads ?? true)
  const check = options.contract?.check

  // The static tail of every message, serialized once. It stays out of the messageId's input, so an
  // upgrade of tablecast does not change the ids of unchanged rows. `statics`: those members as a check sees them.
  const { contextJson, integrationsJson, parsed: statics } = staticMembers(spec, library)
  const tail = `,"context":${contextJson}${integrationsJson === undefined ? "" : `,"integrations":${integrationsJson}`},"messageId":"`
  const calls = callsOf(spec.type)
  const eventJson = spec.event === undefined ? "" : `,"event":${JSON.stringify(spec.event)}`

  /** Per call (in `calls`' order): the gate that passes its messages without building them, if the contract gives one. */
  const gates = callGates(spec, calls, options.contract?.checkShape, statics)

  /**
   * A message from its text without the closing brace: the body (`open` + "}") is what
   * `JSON.stringify({ type, userId, anonymousId, event, properties | traits, timestamp })` writes,
   * and what the messageId hashes; the message adds the static tail and the id.
   */
  const build = (
    rowNumber: number,
    type: BuiltMessage["type"],
    open: string,
    key: string | undefined,
    values: SourceRow["values"],
    payloadPlan: PayloadPlan
  ): BuiltMessage | RowFailure => {
    const body = `${open}}`
    const contentId = deterministicMessageId(namespace, key === undefined ? body : `${key}\n${body}`)
    const messageId = countRepeats && key === undefined ? numbering.number(contentId) : contentId
    const json = `${open}${tail}${messageId}"}`
    const bytes = utf8ByteLength(json)
    if (bytes > SegmentLimits.maxMessageBytes) {
      return failure(
        `${type} message is ${bytes} bytes, over Segment's ${SegmentLimits.maxMessageBytes}-byte limit per message${largestColumns(plans.excluded, values, payloadPlan)}`
      )
    }
    return { rowNumber, type, messageId, json, bytes }
  }

  /**
   * `revision` (an incremental sync passes the fingerprint Segment last acknowledged for the key)
   * goes into the messageId: a row that changes back to content sent before is not taken for a
   * duplicate of that earlier message, while a retry of the same change keeps its id.
   */
  const mapRow = (row: SourceRow, revision?: string): MappedRow => {
    const { rowNumber, values } = row
    numbering.startRow()
    const head = rowHead(spec, values)
    if (head instanceof RowFailure) return head
    const { ids, group, time } = head
    const key = revision === undefined ? keyOf(spec.key, values) : `${keyOf(spec.key, values) ?? ""}\u0000${revision}`
    const messages: Array<BuiltMessage> = []
    const checks: Array<ContractCheck> | undefined = check === undefined ? undefined : []
    for (let callIndex = 0; callIndex < calls.length; callIndex++) {
      const call = calls[callIndex]!
      const payloadPlan = call === "track" ? propertiesPlan : call === "group" ? groupTraitsPlan : traitsPlan
      let payload: string
      let payloadObject: Record<string, unknown> | undefined
      // With a gate, the payload's values are shown to it as they are written: no object is built.
      const gate = gates[callIndex]
      gate?.start()
      const gated = gate === undefined ? undefined : payloadToGate(values, payloadPlan, gate)
      if (gated instanceof RowFailure) return gated
      if (gated !== undefined) payload = gated
      else if (check === undefined) {
        const written = payloadJson(values, payloadPlan)
        if (written instanceof RowFailure) return written
        payload = written
      } else {
        const written = payloadWithObject(values, payloadPlan)
        if (written instanceof RowFailure) return written
        payload = written.json
        payloadObject = written.object
      }
      const open =
        call === "track"
          ? `{"type":"track"${ids}${eventJson},"properties":${payload}${time}`
          : call === "group"
            ? `{"type":"group"${ids}${group},"traits":${payload}${time}`
            : `{"type":"identify"${ids},"traits":${payload}${time}`
      const built = build(rowNumber, call, open, key, values, payloadPlan)
      if (built instanceof RowFailure) return built
      messages.push(built)
      if (checks !== undefined && check !== undefined) {
        if (gated === undefined) checks.push(check(messageObject(spec, statics, call, head, payloadObject!, built.messageId)))
        else if (gate!.payloadPasses() && gate!.membersPass(head, built.messageId)) checks.push(gate!.passed)
        // Failed at the gate: the check names the violations, on the object the text parses to.
        else checks.push(check(messageObject(spec, statics, call, head, JSON.parse(payload) as Record<string, unknown>, built.messageId)))
      }
    }
    return checks === undefined
      ? { ok: true, messages, repeated: numbering.repeated() }
      : { ok: true, messages, repeated: numbering.repeated(), checks }
  }

  /**
   * Numbers the messages of a row built elsewhere with the ids of their content (a worker's mapper
   * compiled with `countRepeats: false`), as if this mapper had built them: call it for those rows
   * in source order, between the rows this mapper maps.
   */
  const recount = (messages: ReadonlyArray<BuiltMessage>): { readonly messages: ReadonlyArray<BuiltMessage>; readonly repeated: boolean } =>
    countRepeats ? numbering.recount(messages) : { messages, repeated: false }

  // The catch-all: whatever else goes wrong with one row (a value JSON cannot write, a column name
  // nested past the stack) rejects that row with the error's message; it never ends the run.
  const mapRowSafely = (row: SourceRow, revision?: string): MappedRow => {
    try {
      return mapRow(row, revision)
    } catch (error) {
      return failure(`the row could not be mapped: ${oneLineError(error)}`)
    }
  }

  return Object.assign(mapRowSafely, {
    recount,
    /** Whether this mapper numbers repeated contents (unkeyed, `countRepeats` not false). */
    countsRepeats: countRepeats
  })
}

export type MessageMapper = ReturnType<typeof compileMapper>
