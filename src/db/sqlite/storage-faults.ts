import BetterSqlite3 from 'better-sqlite3'
import type { StorageFault } from '../storage-unavailable-error.js'

/** The storage fault an SQLite error stands for, or undefined when it is not one (a bug, a constraint). */
export function storageFaultOf (error: unknown): StorageFault | undefined {
  if (!(error instanceof BetterSqlite3.SqliteError)) return undefined
  const { code } = error
  if (code === 'SQLITE_FULL') return 'full'
  if (code.startsWith('SQLITE_READONLY')) return 'read-only'
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'busy'
  if (code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_CANTOPEN')) return 'io'
  return undefined
}
