import { randomBytes } from 'node:crypto'
import pg from 'pg'
import type { Test } from 'tap'

/**
 * The PostgreSQL server the tests use (`.ci/run` sets it; the default is the
 * server this project's machines run). A test that needs it fails when it
 * cannot be reached: it is never skipped.
 */
export const TEST_POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

/** Whether the suite is run on PostgreSQL (`TEST_DATABASE=postgres`, see test/both-databases.sh). */
export const ON_POSTGRES = process.env.TEST_DATABASE === 'postgres'

async function withClient<T> (work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}

/**
 * A new, empty schema of its own for one test, dropped when the test ends:
 * answers a DATABASE_URL whose connections work in it (search_path), so that
 * test files run in parallel on one database. pg_trgm, which the migrations
 * need, is made once for the whole database, in `public`.
 */
export async function postgresTestUrl (t: Test): Promise<string> {
  const schema = `test_${randomBytes(6).toString('hex')}`
  await withClient(async (client) => {
    try {
      await client.query('CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public')
    } catch (error) {
      // Another test file made it at the same moment.
      if ((error as { code?: string }).code !== '23505') throw error
    }
    await client.query(`CREATE SCHEMA ${schema}`)
  })
  t.teardown(() => withClient((client) => client.query(`DROP SCHEMA ${schema} CASCADE`)))
  const url = new URL(TEST_POSTGRES_URL)
  url.searchParams.set('options', `-c search_path=${schema},public`)
  return url.toString()
}
