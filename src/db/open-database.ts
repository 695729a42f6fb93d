import type { Config } from '../config.js'
import type { Database } from './database.js'
import { isPostgresUrl } from './database-url.js'
import { openPostgresDatabase, type DatabaseLog } from './postgres/postgres-database.js'
import { openSqliteDatabase } from './sqlite/sqlite-database.js'

export type DatabaseSettings = Pick<Config, 'DATABASE_URL' | 'DATABASE_POOL_SIZE' | 'DATABASE_POOL_TIMEOUT_MS'>

/**
 * Opens the database DATABASE_URL names, its schema brought up to date: a
 * PostgreSQL server for a `postgres://` URL, else a SQLite file (or `:memory:`).
 * `log` hears of PostgreSQL connections lost, and found again.
 */
export async function openDatabase (settings: DatabaseSettings, log?: DatabaseLog): Promise<Database> {
  const url = settings.DATABASE_URL
  if (!isPostgresUrl(url)) return openSqliteDatabase(url)
  return openPostgresDatabase(url, { poolSize: settings.DATABASE_POOL_SIZE, poolTimeoutMs: settings.DATABASE_POOL_TIMEOUT_MS, log })
}
