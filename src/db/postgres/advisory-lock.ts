import { sql } from 'drizzle-orm'
import type { PostgresTransaction } from './postgres-database.js'

/**
 * Waits for the advisory lock `name`, which the transaction then holds until
 * it ends. Writes that take the same lock run one at a time, across every
 * instance that shares the database, so what one checks before it writes (a
 * name is free, another administrator is left) still holds when it writes:
 * READ COMMITTED alone would let two of them check at once and both write.
 */
export async function takeAdvisoryLock (tx: PostgresTransaction, name: string): Promise<void> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${name}))`)
}
