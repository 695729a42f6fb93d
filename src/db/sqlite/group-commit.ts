import type BetterSqlite3 from 'better-sqlite3'
import { storageFaultOf } from './storage-faults.js'

interface PendingWrite {
  work: () => unknown
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
}

/**
 * Group commit. A commit writes every page the transaction touched (each
 * index, the search index, the counters) however few rows changed, so writes
 * that arrive in the same turn of the event loop share one transaction.
 * If any of them throws, the whole group is rolled back and each write is run
 * again in a transaction of its own, so that one failure stays its own;
 * unless the database itself failed (full, read-only, locked, I/O), which
 * would fail each of them again, one lock wait after another: then every
 * write of the group is refused with that error.
 * Every promise settles only after its commit: nothing is acknowledged
 * before it is stored. Each transaction takes the write lock when it begins
 * (BEGIN IMMEDIATE), waiting for another process's (a worker's) within the
 * busy timeout: one begun as a reader and turned writer would fail at once
 * if that process had written since it began.
 */
export function createGroupCommit (client: BetterSqlite3.Database) {
  let queue: PendingWrite[] = []

  const commitAll = client.transaction((batch: PendingWrite[]) => batch.map(({ work }) => work()))
  const commitOne = client.transaction((work: () => unknown) => work())

  const flush = () => {
    const batch = queue
    queue = []
    let values: unknown[] | undefined
    try {
      values = commitAll.immediate(batch)
    } catch (error) {
      if (storageFaultOf(error) !== undefined) {
        for (const { reject } of batch) reject(error)
        return
      }
      for (const { work, resolve, reject } of batch) {
        try {
          resolve(commitOne.immediate(work))
        } catch (error) {
          reject(error)
        }
      }
      return
    }
    batch.forEach(({ resolve }, index) => resolve(values[index]))
  }

  /** Runs `work` inside the next group transaction and resolves with its result once committed. */
  return function write<T> (work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      queue.push({ work, resolve: resolve as (value: unknown) => void, reject })
      if (queue.length === 1) setImmediate(flush)
    })
  }
}

export type GroupCommit = ReturnType<typeof createGroupCommit>
