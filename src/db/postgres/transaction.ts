import type pg from 'pg'
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres'
import type { PgTransactionConfig } from 'drizzle-orm/pg-core'
import type { PostgresConnection, PostgresTransaction } from './postgres-database.js'
import { storageFaultOf } from './storage-faults.js'

// A drizzle session on each connection of the pool, made once.
const sessions = new WeakMap<pg.PoolClient, NodePgDatabase>()

function sessionOn (client: pg.PoolClient): NodePgDatabase {
  let session = sessions.get(client)
  if (session === undefined) {
    session = drizzle({ client })
    sessions.set(client, session)
  }
  return session
}

/**
 * Runs `work` in a transaction on a connection of the pool, and always gives
 * the connection back: drizzle's own `transaction()` on a pool keeps the
 * connection forever when BEGIN itself fails (a server gone away), until
 * the pool is exhausted. A connection that was lost is given back as broken,
 * so the pool drops it rather than handing it out again.
 */
export async function inTransaction<T> (db: PostgresConnection, work: (tx: PostgresTransaction) => Promise<T>, config?: PgTransactionConfig): Promise<T> {
  const client = await db.$client.connect()
  let lost: Error | undefined
  try {
    return await sessionOn(client).transaction(work, config)
  } catch (error) {
    if (storageFaultOf(error) === 'unreachable') lost = error as Error
    throw error
  } finally {
    client.release(lost)
  }
}
