import { eq } from 'drizzle-orm'
import type { SecretRepository } from '../secret-repository.js'
import type { GroupCommit } from './group-commit.js'
import { serverSecrets } from './schema.js'
import type { SqliteConnection } from './sqlite-database.js'

/** Server secrets in SQLite: the first to store one wins, and everyone reads that one. */
export function createSqliteSecretRepository (db: SqliteConnection, write: GroupCommit): SecretRepository {
  return {
    async getOrCreate (name, generated) {
      return write(() => {
        db.insert(serverSecrets).values({ name, value: generated }).onConflictDoNothing().run()
        const [stored] = db.select({ value: serverSecrets.value }).from(serverSecrets).where(eq(serverSecrets.name, name)).all()
        return (stored as { value: string }).value
      })
    }
  }
}
