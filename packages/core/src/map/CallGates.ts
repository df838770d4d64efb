import type { MessageContractShape, MessageShape, PortableContract } from "../contract/MessageContract.ts"
import { callsOf, type SyncSpec } from "../spec/SyncSpec.ts"
import type { BuiltMessage, LibraryInfo } from "./BuiltMessage.ts"
import { ShapeGate } from "./ShapeGate.ts"

/**
 * What every message a sync builds for one call shares: the fixed members with their values (`context`
 * and `integrations` as JSON.parse of their text gives them), the members a row may give, the payload's member.
 */
export const messageShape = (spec: SyncSpec, call: BuiltMessage["type"], context: unknown, integrations: unknown): MessageShape => ({
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
  context: unknown,
  integrations: unknown
): ReadonlyArray<ShapeGate | undefined> =>
  calls.map((call) => {
    if (checkShape === undefined) return undefined
    const shape = messageShape(spec, call, context, integrations)
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
  // As the mapper has them: the static members as JSON.parse of their text gives them.
  const context = JSON.parse(JSON.stringify({ ...spec.context, library: { name: library.name, version: library.version } })) as unknown
  const integrations = spec.integrations === undefined ? undefined : (JSON.parse(JSON.stringify(spec.integrations)) as unknown)
  const shapes = callsOf(spec.type).map((call) => messageShape(spec, call, context, integrations))
  return { ...portable, tests: portableTests(shapes) }
}
