import { createHash } from "node:crypto"
import { type FileHandle, open } from "node:fs/promises"

/** How much of each end of the file is read for an estimate or a fingerprint. */
export const sampleBytes = 64 * 1024

const withFile = async <A>(path: string, use: (file: FileHandle) => Promise<A>): Promise<A> => {
  const file = await open(path, "r")
  try {
    return await use(file)
  } finally {
    await file.close()
  }
}

const readAt = async (file: FileHandle, position: number, length: number): Promise<Buffer> => {
  const buffer = Buffer.alloc(length)
  const { bytesRead } = await file.read(buffer, 0, length, position)
  return buffer.subarray(0, bytesRead)
}

const countByte = (bytes: Buffer, byte: number): number => {
  let count = 0
  for (let at = bytes.indexOf(byte); at !== -1; at = bytes.indexOf(byte, at + 1)) count++
  return count
}

/**
 * Rows in the file, estimated from its size and the average line length of its first 64 KB (exact
 * for a small file without blank lines or line breaks inside quoted fields). `undefined` when the
 * sample holds no line break at all.
 */
export const estimateRows = (path: string, header: boolean): Promise<number | undefined> =>
  withFile(path, async (file) => {
    const { size } = await file.stat()
    if (size === 0) return 0
    const sample = await readAt(file, 0, Math.min(size, sampleBytes))
    const breaks = countByte(sample, 0x0a) || countByte(sample, 0x0d)
    const headerRows = header ? 1 : 0
    if (sample.length >= size) {
      const last = sample[sample.length - 1]
      const lines = breaks + (last === 0x0a || last === 0x0d ? 0 : 1)
      return Math.max(0, lines - headerRows)
    }
    if (breaks === 0) return undefined
    return Math.max(0, Math.round((size * breaks) / sample.length) - headerRows)
  })

/**
 * A cheap fingerprint of the file: its size, its modification time, and a SHA-256 of its first and
 * last 64 KB. A changed file almost always changes one of them; reading stays constant-time.
 */
export const fingerprintFile = (path: string): Promise<string> =>
  withFile(path, async (file) => {
    const stats = await file.stat()
    const hash = createHash("sha256")
    hash.update(await readAt(file, 0, Math.min(stats.size, sampleBytes)))
    if (stats.size > sampleBytes) {
      const tailStart = Math.max(sampleBytes, stats.size - sampleBytes)
      hash.update(await readAt(file, tailStart, stats.size - tailStart))
    }
    return `csv:size=${stats.size}:mtime=${Math.trunc(stats.mtimeMs)}:sha256=${hash.digest("hex").slice(0, 32)}`
  })
