import * as Redacted from "effect/Redacted"
import * as z from "zod"

/** A secret as the user gives it (plain text from a flag or file, or already `Redacted`), kept `Redacted`. */
export const Secret = z
  .union([z.string(), z.custom<Redacted.Redacted<string>>((value) => Redacted.isRedacted(value))])
  .transform((value) => (typeof value === "string" ? Redacted.make(value) : value))

/** What a binary column (Postgres bytea, Snowflake BINARY) becomes: refused (the default), or text in base64 or hex. */
export const BinaryMapping = z.enum(["refuse", "base64", "hex"])
export type BinaryMapping = z.infer<typeof BinaryMapping>

/** A source reads either a `table` or a `query`: exactly one of them (the issue is reported at `table`). */
export const requireTableOrQuery = (
  options: { readonly table?: string | undefined; readonly query?: string | undefined },
  ctx: z.RefinementCtx
): void => {
  if ((options.table === undefined) === (options.query === undefined)) {
    ctx.addIssue({ code: "custom", path: ["table"], message: "give either a table or a query (not both)" })
  }
}
