/** A secret sealed by `WriteKeySeal` (a write key, or a queued run's webhook URL); a shape of its own so types need no WebCrypto. */
export interface SealedWriteKey {
  readonly v: 1
  /** base64url(iv ‖ ciphertext ‖ tag). */
  readonly sealed: string
}
