import { completeUtf8Length } from "@tablecast/source-csv/portable"

/**
 * The index of the first byte of `bytes` that does not belong to a valid UTF-8 character
 * (overlong forms, surrogates and code points over U+10FFFF are invalid, as for a fatal
 * `TextDecoder`), or -1. A character cut by the end of `bytes` counts as invalid only when
 * `complete`; otherwise its start is where the check stops.
 */
export const firstInvalidUtf8 = (bytes: Uint8Array, complete = true): number => {
  const length = bytes.length
  let index = 0
  while (index < length) {
    const byte = bytes[index]!
    if (byte < 0x80) {
      index++
      continue
    }
    let needed: number
    let low = 0x80
    let high = 0xbf
    if (byte >= 0xc2 && byte <= 0xdf) needed = 1
    else if (byte >= 0xe0 && byte <= 0xef) {
      needed = 2
      if (byte === 0xe0) low = 0xa0
      else if (byte === 0xed) high = 0x9f
    } else if (byte >= 0xf0 && byte <= 0xf4) {
      needed = 3
      if (byte === 0xf0) low = 0x90
      else if (byte === 0xf4) high = 0x8f
    } else return index
    for (let next = 1; next <= needed; next++) {
      if (index + next >= length) return complete ? index : -1
      const continuation = bytes[index + next]!
      if (continuation < low || continuation > high) return index
      low = 0x80
      high = 0xbf
    }
    index += needed + 1
  }
  return -1
}

/**
 * Checks a byte stream as UTF-8, piece by piece, with a fatal streaming `TextDecoder` (native,
 * so a valid body costs little). On the first invalid sequence it answers its offset in the
 * stream, found by re-reading only the piece at fault and the cut character before it.
 */
export class Utf8Check {
  private readonly decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true })
  /** The stream's last bytes (at most 3: the longest unfinished character) and their offset. */
  private recent: Uint8Array = new Uint8Array(0)
  private recentOffset = 0

  /** The offset of the first invalid byte in this piece (at `offset` in the stream), or -1. */
  write(piece: Uint8Array, offset: number): number {
    try {
      this.decoder.decode(piece, { stream: true })
    } catch {
      return this.locate(piece, false)
    }
    const last = piece.length >= 3 ? piece.subarray(piece.length - 3) : concat(this.recent, piece)
    this.recent = last.slice(Math.max(0, last.length - 3))
    this.recentOffset = offset + piece.length - this.recent.length
    return -1
  }

  /** At the end of the stream: the offset of a character left unfinished, or -1. */
  end(): number {
    try {
      this.decoder.decode()
      return -1
    } catch {
      return this.locate(new Uint8Array(0), true)
    }
  }

  private locate(piece: Uint8Array, complete: boolean): number {
    // The decoder holds back only an unfinished character: it starts where the complete ones end.
    const tailStart = completeUtf8Length(this.recent)
    const joined = concat(this.recent.subarray(tailStart), piece)
    const at = firstInvalidUtf8(joined, complete)
    return this.recentOffset + tailStart + (at === -1 ? 0 : at)
  }
}

const concat = (a: Uint8Array, b: Uint8Array): Uint8Array => {
  if (a.length === 0) return b
  const joined = new Uint8Array(a.length + b.length)
  joined.set(a, 0)
  joined.set(b, a.length)
  return joined
}
