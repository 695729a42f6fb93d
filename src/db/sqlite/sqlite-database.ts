import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import BetterSqlite3 from 'better-sqlite3'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import type { Database } from '../database.js'
import { createGroupCommit } from './group-commit.js'
import { createSqliteIdempotencyRepository } from './idempotency-repository.js'
import { createSqliteTaskRepository } from './task-repository.js'

const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../../migrations', import.meta.url))

/**
 * Opens (creating it if needed) the SQLite database at `url`, a file path or
 * `:memory:`, and brings its schema up to date with the migrations.
 */
export function openSqliteConnection (url: string) {
  if (url !== ':memory:') mkdirSync(dirname(url), { recursive: true })
  const client = new BetterSqlite3(url)
  try {
    client.pragma('journal_mode = WAL')
    // Every commit reaches the disk before it is acknowledged.
    client.pragma('synchronous = FULL')
    client.pragma('busy_timeout = 5000')
    client.pragma('foreign_keys = ON')
    const db = drizzle({ client })
    migrate(db, { migrationsFolder: MIGRATIONS_FOLDER })
    return db
  } catch (error) {
    client.close()
    throw error
  }
}

export type SqliteConnection = ReturnType<typeof openSqliteConnection>

/** The app's Database over a SQLite connection (see openSqliteConnection). */
export function openSqliteDatabase (url: string): Database {
  const db = openSqliteConnection(url)
  const selectOne = db.$client.prepare('SELECT 1')
  const write = createGroupCommit(db.$client)
  const idempotency = createSqliteIdempotencyRepository(db, write)
  return {
    tasks: createSqliteTaskRepository(db, write, idempotency.save),
    idempotency: idempotency.repository,
    async ping () {
      selectOne.get()
    },
    async close () {
      if (db.$client.open) db.$client.close()
    }
  }
}
