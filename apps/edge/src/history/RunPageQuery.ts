import { RequestError } from "../RequestError.ts"

/** Runs per page of `GET /v1/runs` unless `limit` says otherwise, and the most it may say. */
export const DefaultRunPageSize = 50
export const MaxRunPageSize = 200

/** A run record id (`newRunId`): its start as compact UTC, then six hex digits. */
const RunRecordId = /^\d{8}T\d{9}Z-[0-9a-f]{6}$/

/** Reads `?limit=` and `?cursor=` of `GET /v1/runs`; 400 naming the parameter at fault. */
export const parseRunPage = (query: (name: string) => string | undefined): { readonly limit: number; readonly cursor?: string } => {
  const limitText = query("limit")
  const limit = limitText === undefined ? DefaultRunPageSize : Number(limitText)
  if (!Number.isInteger(limit) || limit < 1 || limit > MaxRunPageSize) {
    throw new RequestError({ status: 400, field: "limit", message: `limit: a whole number from 1 to ${MaxRunPageSize}` })
  }
  const cursor = query("cursor")
  if (cursor === undefined) return { limit }
  if (!RunRecordId.test(cursor)) {
    throw new RequestError({
      status: 400,
      field: "cursor",
      message: "cursor: not a cursor this endpoint gave (use nextCursor of the previous page)"
    })
  }
  return { limit, cursor }
}
