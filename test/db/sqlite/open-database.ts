import type { Test } from 'tap'
import { openSqliteDatabase } from '../../../src/db/sqlite/sqlite-database.js'

/** A new, migrated SQLite database in memory, closed when the test ends: what the contracts run on. */
export async function openSqlite (t: Test) {
  const database = openSqliteDatabase(':memory:')
  t.teardown(() => database.close())
  return database
}
