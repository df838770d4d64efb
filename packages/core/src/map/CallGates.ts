import type { MessageContractShape, MessageShape, PortableContract } from "../contract/MessageContract.ts"
import { callsOf, type SyncSpec } from "../spec/SyncSpec.ts"
import type { BuiltMessage, LibraryInfo } from "./BuiltMessage.ts"
import { ShapeGate } from "./ShapeGate.ts"

/** The members every message of a sync carries unchanged: as written, and as `JSON.parse` of that text gives them. */
export interface StaticMembers {
  readonly contextJson: string
  readonly integrationsJson: string | undefined
  /** What a contract's check sees. */
  readonly parsed: { readonly context: unknown; readonly integrations: unknown }
}

/** A sync's static members: its `context` with the library named, and its `integrations`, serialized once. */
export const staticMembers = (spec: SyncSpec, library: LibraryInfo): StaticMembers => {
  const contextJson = JSON.stringify({ ...spec.context, library: { name: library.name, version: library.version } })
  const integrationsJson = spec.integrations === undefined ? undefined : JSON.stringify(spec.integrations)
  return {
    contextJson,
    integrationsJson,
    parsed: {
      context: JSON.parse(contextJson) as unknown,
      integrations: integrationsJson === undefined ? undefined : (JSON.parse(integrationsJson) as unknown)
    }
  }
}

/**
 * What every message a sync builds for one call shares: the fixed members with their values (`context`
 * and `integrations` as JSON.parse of their text gives them), the members a row may give, the payload's member.
 */
export const messageShape = (spec: SyncSpec, call: BuiltMessage["type"], { context, integrations }: StaticMembers["parsed"]): MessageShape => ({
  type: call,
  fixed: {
    type: call,
    ...(call === "track" && spec.event !== undefined ? { event: spec.event } : {}),
    context,
    ...(integrations === undefined ? {} : { integrations })
  },
  varying: [
    ...(spec.customerId === undefined ? [] : ["userId"]),
    ...(spec.anonymousId === undefined ? [] : ["anonymousId"]),
    ...(call === "group" ? ["groupId"] : []),
    ...(spec.timestamp === undefined ? [] : ["timestamp"]),
    "messageId"
  ],
  payload: call === "track" ? "properties" : "traits"
})

/** Per call, in `calls`' order: the gate that passes its messages without building them, where the contract gives one. */
export const callGates = (
  spec: SyncSpec,
  calls: ReadonlyArray<BuiltMessage["type"]>,
  checkShape: MessageContractShape["checkShape"],
  statics: StaticMembers["parsed"]
): ReadonlyArray<ShapeGate | undefined> =>
  calls.map((call) => {
    if (checkShape === undefined) return undefined
    const shape = messageShape(spec, call, statics)
    const taken = checkShape(shape)
    return taken === undefined ? undefined : ShapeGate.of(taken, shape.varying)
  })

/**
 * A contract's portable form for a worker that maps this sync's rows, with the tests of the sync's
 * shapes of message compiled here (`portableTests`): the worker revives them instead of compiling.
 */
export const portableForSync = (contract: MessageContractShape, spec: SyncSpec, library: LibraryInfo): PortableContract | undefined => {
  const { portable, portableTests } = contract
  if (portable === undefined || portableTests === undefined) return portable
  const statics = staticMembers(spec, library).parsed
  const shapes = callsOf(spec.type).map((call) => messageShape(spec, call, statics))
  return { ...portable, tests: portableTests(shapes) }
}
