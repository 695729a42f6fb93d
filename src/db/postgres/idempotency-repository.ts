import { and, eq, gt, lte, sql } from 'drizzle-orm'
import type { IdempotencyRepository, StoredResponse } from '../database.js'
import { IdempotencyKeyInUseError } from '../idempotency-key-in-use-error.js'
import type { PostgresConnection, PostgresTransaction } from './postgres-database.js'
import { idempotencyKeys } from './schema.js'

/**
 * Stored responses for Idempotency-Key in PostgreSQL. `save` runs inside the
 * transaction of the write it reports. Two instances writing the same key at
 * once: the second's insert waits for the first to commit, finds the key
 * live, and rolls its whole write back (IdempotencyKeyInUseError).
 */
export function createPostgresIdempotencyRepository (db: PostgresConnection) {
  const repository: IdempotencyRepository = {
    async find (userId, key, now) {
      const [row] = await db.select().from(idempotencyKeys)
        .where(and(eq(idempotencyKeys.userId, userId), eq(idempotencyKeys.key, key), gt(idempotencyKeys.expiresAt, now)))
      return row
    },
    async purgeExpired (now) {
      const { rowCount } = await db.delete(idempotencyKeys).where(lte(idempotencyKeys.expiresAt, now))
      return rowCount ?? 0
    }
  }
  return {
    repository,
    /** Stores a response inside the write's transaction `tx`, replacing only an expired one. */
    async save (tx: PostgresTransaction, response: StoredResponse) {
      const stored = await tx.insert(idempotencyKeys).values(response)
        .onConflictDoUpdate({
          target: [idempotencyKeys.userId, idempotencyKeys.key],
          set: {
            fingerprint: sql`excluded.fingerprint`,
            status: sql`excluded.status`,
            location: sql`excluded.location`,
            etag: sql`excluded.etag`,
            body: sql`excluded.body`,
            expiresAt: sql`excluded.expires_at`
          },
          setWhere: lte(idempotencyKeys.expiresAt, Date.now())
        })
        .returning({ key: idempotencyKeys.key })
      if (stored.length === 0) throw new IdempotencyKeyInUseError()
    }
  }
}
