import { existsSync } from 'node:fs'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { isPostgresUrl, shownDatabaseUrl } from './database-url.js'
import { openPostgresDatabase } from './postgres/postgres-database.js'
import { copySqliteToPostgres } from './sqlite-to-postgres.js'
import { openSqliteConnection } from './sqlite/sqlite-database.js'

// `npm run db:copy -- --from PATH --to URL`: moves the SQLite database at PATH
// into the new PostgreSQL database at URL, in one transaction, and checks the
// copy (see sqlite-to-postgres.ts).
const USAGE = 'Usage: npm run db:copy -- --from PATH --to URL'

function readArguments (): { from: string, to: string } {
  let values
  try {
    values = parseArgs({ options: { from: { type: 'string' }, to: { type: 'string' } } }).values
  } catch (error) {
    throw new Error(`${(error as Error).message.replace(/\.$/, '')}. ${USAGE}`)
  }
  const { from, to } = values
  if (from === undefined || to === undefined) throw new Error(`Give the SQLite file to copy (--from) and the PostgreSQL database to fill (--to). ${USAGE}`)
  // Neither URL is ever repeated: it may hold a password.
  if (isPostgresUrl(from)) throw new Error(`--from must be a SQLite file: db:copy moves a SQLite database to PostgreSQL. ${USAGE}`)
  if (!isPostgresUrl(to) || !URL.canParse(to)) throw new Error(`--to must be a postgres:// or postgresql:// URL. ${USAGE}`)
  // Opening a file that is not there would create an empty database.
  if (!existsSync(from)) throw new Error(`There is no database at ${from}.`)
  return { from, to }
}

try {
  const { from, to } = readArguments()
  const started = performance.now()
  // Both are brought up to the latest schema first, as the server does on
  // start, the target first: the copy maps the newest tables column for
  // column, and a target that cannot be reached leaves the source untouched.
  await (await openPostgresDatabase(to, { poolSize: 1, poolTimeoutMs: 10_000 })).close()
  const source = openSqliteConnection(from)
  try {
    // A connection of its own, without the server's statement timeouts: the copy is one long transaction.
    const target = new pg.Client({ connectionString: to, application_name: 'task-api db:copy' })
    await target.connect()
    try {
      const copied = await copySqliteToPostgres(source, target)
      const seconds = ((performance.now() - started) / 1000).toFixed(1)
      console.log(`Copied ${from} to ${shownDatabaseUrl(to)} in ${seconds} s; every table holds as many rows as the source's, and the task counters agree:`)
      for (const { table, rows } of copied) console.log(`  ${table.padEnd(24)}${String(rows).padStart(10)}`)
    } finally {
      await target.end()
    }
  } finally {
    source.$client.close()
  }
} catch (error) {
  console.error((error as Error).message)
  process.exit(1)
}
