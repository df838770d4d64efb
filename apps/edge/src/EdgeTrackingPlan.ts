import { callsOf, type ContractMode, type MessageContractShape, type SyncSpec } from "@tablecast/core"
import { interpretTrackingPlan, parseTrackingPlan, type TrackingPlan, TrackingPlanError } from "@tablecast/tracking-plan/interpreted"
import { RequestError } from "./RequestError.ts"

/**
 * A run's tracking plan as the edge carries it: the plan parsed (plain data, so a queued run's chunks
 * carry it), the name its reports and texts give it, and the mode.
 */
export interface EdgeTrackingPlan {
  readonly plan: TrackingPlan
  /** `spec.trackingPlan` (the request's) or `TRACKING_PLAN` (the deployment's). */
  readonly origin: string
  readonly mode: ContractMode
}

/** What a spec says about its plan, before the deployment's is considered. */
export interface RequestPlanSettings {
  readonly plan?: EdgeTrackingPlan
  readonly mode?: ContractMode
  /** The field the mode came in, for a 400 naming it. */
  readonly modeField?: string
}

const isMode = (value: unknown): value is ContractMode => value === "reject" || value === "warn"

const isObject = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/**
 * Parses a plan and checks every rule's schema by interpreting it once (the edge has no Ajv: Workers
 * forbid the code generation it needs). Throws the plan's TrackingPlanError, which names the rule and field.
 */
export const checkedPlan = (json: unknown, origin: string, mode: ContractMode): EdgeTrackingPlan => {
  const plan = parseTrackingPlan(json, origin)
  interpretTrackingPlan(plan, origin)
  return { plan, origin, mode }
}

/**
 * The plan fields of a spec (`trackingPlan`, the plan's JSON object; `trackingPlanMode`), as the config
 * file's sync entries spell them. A plan or mode at fault is a 400 naming the field, the rule and the keyword.
 */
export const requestPlanSettings = (trackingPlan: unknown, trackingPlanMode: unknown, specName: string): RequestPlanSettings => {
  const modeField = `${specName}.trackingPlanMode`
  if (trackingPlanMode !== undefined && !isMode(trackingPlanMode)) {
    throw new RequestError({
      status: 400,
      field: modeField,
      message: `${modeField}: expected "reject" or "warn", got ${JSON.stringify(trackingPlanMode)}`
    })
  }
  const mode = trackingPlanMode
  if (trackingPlan === undefined) return mode === undefined ? {} : { mode, modeField }
  const origin = `${specName}.trackingPlan`
  if (!isObject(trackingPlan)) {
    throw new RequestError({
      status: 400,
      field: origin,
      message: `${origin}: expected the plan's JSON object (Segment's rules, { "rules": [...] }, or a Config API export); the edge reads no files`
    })
  }
  try {
    return { plan: checkedPlan(trackingPlan, origin, mode ?? "reject"), ...(mode === undefined ? {} : { mode, modeField }) }
  } catch (error) {
    if (!(error instanceof TrackingPlanError)) throw error
    const field = [origin, error.rule, error.field].filter((part) => part !== undefined).join(".")
    throw new RequestError({ status: 400, field, message: error.message })
  }
}

/**
 * The plan a run is checked against: the spec's own, else the deployment's (`TRACKING_PLAN`), in the
 * spec's mode when it names one. A mode with no plan anywhere is a 400.
 */
export const planInForce = (settings: RequestPlanSettings | undefined, deployment: EdgeTrackingPlan | undefined): EdgeTrackingPlan | undefined => {
  const plan = settings?.plan ?? deployment
  if (plan === undefined) {
    if (settings?.mode !== undefined) {
      const field = settings.modeField ?? "spec.trackingPlanMode"
      throw new RequestError({
        status: 400,
        field,
        message: `${field}: needs a tracking plan (spec.trackingPlan, or the deployment's TRACKING_PLAN)`
      })
    }
    return undefined
  }
  return settings?.mode === undefined ? plan : { ...plan, mode: settings.mode }
}

/**
 * The plan's rules a sync can meet — those of its calls, and for track its event — with the common rule:
 * what a queued run's chunks carry, so a workspace's whole plan does not travel in every queue message.
 */
export const planForSpec = (inForce: EdgeTrackingPlan, spec: SyncSpec): EdgeTrackingPlan => {
  const calls = new Set<string>(callsOf(spec.type))
  const rules = inForce.plan.rules.filter((rule) => calls.has(rule.call) && (rule.call !== "track" || rule.event === spec.event))
  return { ...inForce, plan: { ...inForce.plan, rules } }
}

/**
 * A queued run's chunks each carry the plan: past half a queue message, it would crowd out the rows.
 * A 413 naming the plan's field, its size and the ways out.
 */
export const checkPlanFitsChunks = (carried: EdgeTrackingPlan, chunkMaxBytes: number): void => {
  const bytes = new TextEncoder().encode(JSON.stringify(carried)).length
  if (bytes <= chunkMaxBytes / 2) return
  throw new RequestError({
    status: 413,
    field: carried.origin,
    message: `${carried.origin}: the plan's rules for this sync are ${bytes} bytes as JSON; a queued run carries them in every queue message, which holds ${chunkMaxBytes} bytes (CHUNK_MAX_BYTES): keep them under ${Math.floor(chunkMaxBytes / 2)} bytes, or send the run with mode=sync`
  })
}

const contracts = new WeakMap<EdgeTrackingPlan, MessageContractShape>()

/**
 * The run's message contract: the plan interpreted (@cfworker/json-schema), its violations telling a
 * failing value by its type only — the edge never echoes row values. Built once per plan object.
 */
export const edgeContractOf = (inForce: EdgeTrackingPlan): MessageContractShape => {
  const known = contracts.get(inForce)
  if (known !== undefined) return known
  const interpreted = interpretTrackingPlan(inForce.plan, inForce.origin, { quoteValues: false })
  const contract: MessageContractShape = { mode: inForce.mode, name: inForce.origin, check: interpreted.check }
  contracts.set(inForce, contract)
  return contract
}
