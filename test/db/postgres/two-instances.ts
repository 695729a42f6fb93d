import type { Test } from 'tap'
import { openPostgresDatabase, type PostgresDatabase } from '../../../src/db/postgres/postgres-database.js'
import { postgresTestUrl } from '../../postgres.js'

/**
 * Two servers' databases on one new PostgreSQL database: each its own pool,
 * as two instances of the app sharing a server. Closed when the test ends.
 */
export async function twoInstances (t: Test): Promise<[PostgresDatabase, PostgresDatabase]> {
  const url = await postgresTestUrl(t)
  const open = () => openPostgresDatabase(url, { poolSize: 4, poolTimeoutMs: 5000 })
  const one = await open()
  const two = await open()
  t.teardown(async () => { await one.close(); await two.close() })
  return [one, two]
}

/** Races are caught by chance: each is run this many times. */
export const ROUNDS = 10

/** The answers of two racing calls, as [what succeeded, what was refused], whichever instance made which. */
export function outcome<T> (answers: [T | string, T | string]): [T[], string[]] {
  return [answers.filter((answer): answer is T => typeof answer !== 'string'), answers.filter((answer) => typeof answer === 'string')]
}
