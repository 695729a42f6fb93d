/** Why the database cannot do what was asked right now. */
export type StorageFault = 'full' | 'read-only' | 'busy' | 'io' | 'unreachable'

/**
 * The database failed for a reason outside the request (a full disk, a
 * read-only file, a lock held too long, an I/O error, a database server
 * that cannot be reached): the request was not
 * carried out, nothing of it was written, and the same request may succeed
 * once the fault is gone.
 */
export class StorageUnavailableError extends Error {
  override name = 'StorageUnavailableError'

  constructor (readonly fault: StorageFault, options?: ErrorOptions) {
    super(`The database is unavailable: ${fault}`, options)
  }
}
