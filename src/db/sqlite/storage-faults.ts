import BetterSqlite3 from 'better-sqlite3'
import { StorageUnavailableError, type StorageFault } from '../storage-unavailable-error.js'

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

type AsyncMethods<T> = { [K in keyof T]: T[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => Promise<R> : never }

/**
 * The same methods, with the SQLite errors that are storage faults turned
 * into StorageUnavailableError, so that callers above the data layer tell a
 * full or read-only database from a bug without knowing SQLite.
 */
export function reportingStorageFaults<T extends AsyncMethods<T>> (methods: T): T {
  const wrapped: Record<string, unknown> = {}
  for (const [name, method] of Object.entries(methods) as Array<[string, (...args: unknown[]) => Promise<unknown>]>) {
    wrapped[name] = async (...args: unknown[]) => {
      try {
        return await method(...args)
      } catch (error) {
        const fault = storageFaultOf(error)
        throw fault === undefined ? error : new StorageUnavailableError(fault, { cause: error })
      }
    }
  }
  return wrapped as T
}
