/**
 * The length of the longest prefix of `bytes` that does not end inside a UTF-8 character: a file
 * read in fixed-size pieces cuts characters in two, and a piece checked for valid UTF-8 must not.
 * Only a truncated final sequence (at most 3 bytes) is left out; invalid bytes are kept, for the
 * check to find.
 */
export const completeUtf8Length = (bytes: Uint8Array): number => {
  const length = bytes.length
  for (let index = length - 1; index >= 0 && index >= length - 4; index--) {
    const byte = bytes[index]!
    // 10xxxxxx continues a character: keep looking back for the byte that starts it.
    if ((byte & 0xc0) === 0x80) continue
    // 11110xxx, 1110xxxx and 110xxxxx start 4, 3 and 2-byte characters; 0xf8-0xff start none.
    const needed = byte >= 0xf8 ? 1 : byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1
    return index + needed > length ? index : length
  }
  return length
}
