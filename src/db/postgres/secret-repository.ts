import { eq } from 'drizzle-orm'
import type { SecretRepository } from '../secret-repository.js'
import type { PostgresConnection } from './postgres-database.js'
import { serverSecrets } from './schema.js'
import { inTransaction } from './transaction.js'

/**
 * Server secrets in PostgreSQL: the first to store one wins, and everyone
 * reads that one. An insert that meets another instance's uncommitted one
 * waits for it, then does nothing; the select after it, a statement of its
 * own under READ COMMITTED, sees the winner's secret.
 */
export function createPostgresSecretRepository (db: PostgresConnection): SecretRepository {
  return {
    async getOrCreate (name, generated) {
      return inTransaction(db, async (tx) => {
        await tx.insert(serverSecrets).values({ name, value: generated }).onConflictDoNothing()
        const [stored] = await tx.select({ value: serverSecrets.value }).from(serverSecrets).where(eq(serverSecrets.name, name))
        return (stored as { value: string }).value
      })
    }
  }
}
