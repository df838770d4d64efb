import type { BuiltMessage } from "./BuiltMessage.ts"
import { MESSAGE_ID_PREFIX, repeatKey, repeatMessageId } from "./MessageId.ts"
import { RepeatCounter, type RepeatCounterOptions } from "./RepeatCounter.ts"

/**
 * Numbers the occurrences of each content in the order rows are mapped (see `MESSAGE_ID_SCHEME`):
 * the first keeps the id of its content, a repeat gets an id with its occurrence hashed in.
 * `repeated()` tells whether the row being mapped (since `startRow`) repeated an earlier content.
 */
export const repeatNumbering = (
  namespace: string,
  options: { readonly repeatCounter?: RepeatCounterOptions | undefined; readonly repeatsBefore?: ReadonlyMap<string, number> | undefined }
) => {
  let counter: RepeatCounter | undefined
  const repeatsBefore = options.repeatsBefore !== undefined && options.repeatsBefore.size > 0 ? options.repeatsBefore : undefined
  /** Set by `number` when a message of the row being mapped repeats an earlier content. */
  let rowRepeated = false
  /** The id of this occurrence of a content whose first occurrence has `firstId`. */
  const number = (firstId: string): string => {
    counter ??= new RepeatCounter(options.repeatCounter)
    let occurrence = counter.nextHex(firstId, MESSAGE_ID_PREFIX.length)
    if (repeatsBefore !== undefined) occurrence += repeatsBefore.get(repeatKey(firstId)) ?? 0
    if (occurrence === 1) return firstId
    rowRepeated = true
    return repeatMessageId(namespace, firstId, occurrence)
  }
  /** Numbers the messages of a row built elsewhere with the ids of their content. */
  const recount = (messages: ReadonlyArray<BuiltMessage>): { readonly messages: ReadonlyArray<BuiltMessage>; readonly repeated: boolean } => {
    rowRepeated = false
    let renumbered: Array<BuiltMessage> | undefined
    for (let index = 0; index < messages.length; index++) {
      const message = messages[index]!
      const messageId = number(message.messageId)
      if (messageId === message.messageId) continue
      renumbered ??= messages.slice()
      // The id is the message's last value, and every id has the same length: the bytes stay the same.
      const json = `${message.json.slice(0, message.json.length - message.messageId.length - 2)}${messageId}"}`
      renumbered[index] = { ...message, messageId, json }
    }
    return { messages: renumbered ?? messages, repeated: rowRepeated }
  }
  return {
    number,
    recount,
    startRow: (): void => {
      rowRepeated = false
    },
    repeated: (): boolean => rowRepeated
  }
}
