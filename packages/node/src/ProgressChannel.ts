/**
 * Progress as an async iterable: a reader that falls behind skips to the latest snapshot (a run
 * never waits on it, and memory stays at one snapshot), and the iteration ends when the run does.
 * Each snapshot is given once; the last one told before the end is never skipped.
 */
export class ProgressChannel<A> implements AsyncIterable<A> {
  private latest: { readonly value: A } | undefined
  private ended = false
  private wake: (() => void) | undefined

  /** Tells a new snapshot; it replaces one not yet read. */
  readonly push = (value: A): void => {
    if (this.ended) return
    this.latest = { value }
    this.notify()
  }

  /** Ends the iteration once the last snapshot is read. */
  readonly end = (): void => {
    this.ended = true
    this.notify()
  }

  private notify(): void {
    const wake = this.wake
    this.wake = undefined
    wake?.()
  }

  async *[Symbol.asyncIterator](): AsyncIterator<A> {
    while (true) {
      const next = this.latest
      if (next !== undefined) {
        this.latest = undefined
        yield next.value
        continue
      }
      if (this.ended) return
      await new Promise<void>((resolve) => {
        this.wake = resolve
      })
    }
  }
}
