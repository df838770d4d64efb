import type { ChunkMessage } from "../ChunkMessage.ts"

/** What the dead-letter queue keeps: the chunk as it was enqueued, and why it is there. */
export interface DeadLetter {
  readonly reason: string
  readonly deadLetteredAt: string
  readonly attempts: number
  readonly chunk: ChunkMessage
}
