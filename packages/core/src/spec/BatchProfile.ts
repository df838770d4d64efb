import * as z from "zod"
import { Defaults, SegmentLimits } from "./Limits.ts"

/**
 * Named batch settings. `bulk` (the default) fills each request toward the byte limit: a table is
 * not a live event stream, and at Segment's 50 requests per second the rows per request set the
 * throughput. `small` is the seed's (and Segment's own libraries') 100 messages per batch, for a
 * receiver that prefers small requests. Both flush a partial batch 0.5 s after the last flush.
 */
export const BatchProfile = z.enum(["bulk", "small"])
export type BatchProfile = z.output<typeof BatchProfile>

export interface BatchSettings {
  readonly batchCount: number
  readonly batchBytes: number
  readonly flushIntervalMillis: number
}

export const batchProfiles: Readonly<Record<BatchProfile, BatchSettings>> = {
  bulk: { batchCount: Defaults.batchCount, batchBytes: Defaults.batchBytes, flushIntervalMillis: Defaults.flushIntervalMillis },
  small: { batchCount: 100, batchBytes: SegmentLimits.maxRequestBytes, flushIntervalMillis: Defaults.flushIntervalMillis }
}

/** Options with the profile applied: every batch setting known, and the profile named. */
export type WithBatchProfile<Options> = {
  [K in keyof Options | keyof BatchSettings | "batchProfile"]: K extends keyof BatchSettings
    ? number
    : K extends "batchProfile"
      ? BatchProfile
      : K extends keyof Options
        ? Options[K]
        : never
}

/** The profile's settings under those given: an explicit `batchCount`, `batchBytes` or `flushIntervalMillis` wins. */
export const withBatchProfile = <Options extends { readonly batchProfile?: BatchProfile | undefined } & Partial<BatchSettings>>(
  options: Options
): WithBatchProfile<Options> => {
  const batchProfile = options.batchProfile ?? "bulk"
  const profile = batchProfiles[batchProfile]
  return {
    ...(options as Omit<Options, "batchProfile">),
    batchProfile,
    batchCount: options.batchCount ?? profile.batchCount,
    batchBytes: options.batchBytes ?? profile.batchBytes,
    flushIntervalMillis: options.flushIntervalMillis ?? profile.flushIntervalMillis
    // The same object, written as one flat type (TypeScript cannot see through the mapped one).
  } as WithBatchProfile<Options>
}
