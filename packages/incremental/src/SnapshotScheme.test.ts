import { describe, expect, it } from "vitest"
import { MESSAGE_ID_SCHEME } from "@tablecast/core"
import { messageIdSchemeNote } from "./Snapshot.ts"

describe("messageIdSchemeNote", () => {
  it("says nothing for a snapshot of the current scheme, or an empty one", () => {
    expect(messageIdSchemeNote(MESSAGE_ID_SCHEME, 10)).toBeUndefined()
    expect(messageIdSchemeNote(undefined, 0)).toBeUndefined()
  })

  it("notes that a snapshot of scheme 1 (none recorded) keeps working and re-sends nothing", () => {
    const said = messageIdSchemeNote(undefined, 10)
    expect(said).toEqual({ note: expect.stringMatching(/scheme 1; scheme 2 gives keyed rows the same ids, so nothing is re-sent/) })
    expect(messageIdSchemeNote(1, 10)).toEqual(said)
  })

  it("refuses a snapshot written by a newer tablecast", () => {
    expect(messageIdSchemeNote(MESSAGE_ID_SCHEME + 1, 10)).toEqual({ error: expect.stringMatching(/upgrade tablecast/) })
  })
})
