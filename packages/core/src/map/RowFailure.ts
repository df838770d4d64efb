/**
 * What a value broke, said without the value: set on a reason that quotes its row's value, so that
 * a caller that must not show row values (the edge) can word the reason without it.
 */
export interface ValueRule {
  /** The reason's words after the value: "is not a number". */
  readonly broken: string
  /** The type the column's first rows decided and the basis of that decision, when they decided it. */
  readonly decided?: { readonly type: string; readonly basis: string }
}

/** A row's refusal. A class, so that a user column named "ok" can never pass for one. */
export class RowFailure {
  readonly ok = false as const
  constructor(
    readonly reason: string,
    readonly column?: string,
    readonly rule?: ValueRule
  ) {}
}

export const failure = (reason: string, column?: string, rule?: ValueRule): RowFailure => new RowFailure(reason, column, rule)
