import type { Test } from 'tap'
import { openPostgresDatabase } from '../../../src/db/postgres/postgres-database.js'
import { postgresTestUrl } from '../../postgres.js'

/** A new, migrated PostgreSQL database (a schema of its own), closed when the test ends: what the contracts run on. */
export async function openPostgres (t: Test) {
  const database = await openPostgresDatabase(await postgresTestUrl(t), { poolSize: 4, poolTimeoutMs: 5000 })
  t.teardown(() => database.close())
  return database
}
