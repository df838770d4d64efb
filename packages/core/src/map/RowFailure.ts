/** A row's refusal. A class, so that a user column named "ok" can never pass for one. */
export class RowFailure {
  readonly ok = false as const
  constructor(
    readonly reason: string,
    readonly column?: string
  ) {}
}

export const failure = (reason: string, column?: string): RowFailure => new RowFailure(reason, column)
