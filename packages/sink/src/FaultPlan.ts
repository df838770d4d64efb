import type { SinkFaults } from "./SinkOptions.ts"

/** What the sink does to one request instead of (or before) answering it normally. */
export type Fault =
  | { readonly _tag: "None" }
  | { readonly _tag: "Throttle"; readonly retryAfterSeconds: number }
  | { readonly _tag: "ServerError"; readonly status: 500 | 502 | 503 }
  | { readonly _tag: "Drop" }
  | { readonly _tag: "HalfWrite" }

export interface FaultDraw {
  readonly fault: Fault
  /** Milliseconds to wait before answering (0 for none). */
  readonly delayMillis: number
}

/**
 * A uniform number in [0, 1) from (seed, request number, stream), by a splitmix32-style mix.
 * Drawing from the request number, not from a shared generator state, keeps each request's fault
 * fixed whatever the faults of the others were.
 */
export const uniform = (seed: number, requestNumber: number, stream: number): number => {
  let h = (seed ^ Math.imul(requestNumber, 0x9e3779b9) ^ Math.imul(stream + 1, 0x85ebca6b)) >>> 0
  h = Math.imul(h ^ (h >>> 16), 0x21f0aaad)
  h = Math.imul(h ^ (h >>> 15), 0x735a2d97)
  h = (h ^ (h >>> 15)) >>> 0
  return h / 4_294_967_296
}

const serverStatuses = [500, 502, 503] as const

/**
 * The fault of request number `requestNumber` (1, 2, ...). One draw picks among throttle, server
 * error, drop and half-write by their shares, laid end to end; a second draw decides slowness.
 */
export const drawFault = (faults: SinkFaults, requestNumber: number): FaultDraw => {
  const delayMillis = faults.delayMillis > 0 && uniform(faults.seed, requestNumber, 1) < faults.slowShare ? faults.delayMillis : 0
  const u = uniform(faults.seed, requestNumber, 0)
  let edge = faults.throttleShare
  if (u < edge) return { fault: { _tag: "Throttle", retryAfterSeconds: faults.retryAfterSeconds }, delayMillis }
  edge += faults.serverErrorShare
  if (u < edge) {
    const status = serverStatuses[Math.floor(uniform(faults.seed, requestNumber, 2) * serverStatuses.length)] ?? 500
    return { fault: { _tag: "ServerError", status }, delayMillis }
  }
  edge += faults.dropShare
  if (u < edge) return { fault: { _tag: "Drop" }, delayMillis }
  edge += faults.halfWriteShare
  if (u < edge) return { fault: { _tag: "HalfWrite" }, delayMillis }
  return { fault: { _tag: "None" }, delayMillis }
}
