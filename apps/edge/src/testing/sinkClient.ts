/** Reads and steers the test receiver over HTTP, from workerd or from Node alike. */
export interface SinkCounts {
  readonly requests: number
  readonly messagesAccepted: number
  readonly uniqueMessageIds: number
  readonly duplicateMessageIds: number
  readonly droppedMessages: number
  readonly rejectedByStatus: Readonly<Record<string, number>>
}

export const sinkStats = async (sinkUrl: string): Promise<SinkCounts> => {
  const response = await fetch(`${sinkUrl}/stats`)
  if (!response.ok) throw new Error(`sink /stats answered ${response.status}`)
  return (await response.json()) as SinkCounts
}

export const setSinkFaults = async (sinkUrl: string, faults: Record<string, unknown>): Promise<void> => {
  const response = await fetch(`${sinkUrl}/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(faults)
  })
  if (!response.ok) throw new Error(`sink /faults answered ${response.status}`)
  await response.arrayBuffer()
}

/** What arrived at the sink between two readings. */
export const sinkDelta = (before: SinkCounts, after: SinkCounts) => ({
  messagesAccepted: after.messagesAccepted - before.messagesAccepted,
  uniqueMessageIds: after.uniqueMessageIds - before.uniqueMessageIds,
  duplicateMessageIds: after.duplicateMessageIds - before.duplicateMessageIds,
  droppedMessages: after.droppedMessages - before.droppedMessages
})

/** The last messages the sink accepted (it keeps 20,000), oldest first. */
export const sinkMessages = async (sinkUrl: string): Promise<ReadonlyArray<Record<string, unknown>>> => {
  const response = await fetch(`${sinkUrl}/messages`)
  if (!response.ok) throw new Error(`sink /messages answered ${response.status}`)
  return (await response.json()) as ReadonlyArray<Record<string, unknown>>
}
