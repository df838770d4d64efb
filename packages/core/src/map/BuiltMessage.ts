// The mapper's output and the library it names, apart from the mapper: a source's contract
// (`RowSource`) speaks of built messages without importing the mapper, which reads source rows.

/** A message ready for a batch: serialized once, measured once. */
export interface BuiltMessage {
  readonly rowNumber: number
  readonly type: "track" | "identify" | "group"
  readonly messageId: string
  readonly json: string
  /** UTF-8 bytes of `json`. */
  readonly bytes: number
}

export interface LibraryInfo {
  readonly name: string
  readonly version: string
}
