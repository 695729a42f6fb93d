/**
 * A write's Idempotency-Key is held by a response not yet expired: another
 * request with the same key was stored first (on another instance, or in the
 * moment since this one looked). The write is rolled back with it.
 */
export class IdempotencyKeyInUseError extends Error {
  override name = 'IdempotencyKeyInUseError'

  constructor () {
    super('The Idempotency-Key is already held by another request')
  }
}
