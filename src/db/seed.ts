import { parseArgs } from 'node:util'
import { loadConfig } from '../config.js'
import { isPostgresUrl } from './database-url.js'
import { generateTasks } from './generated-tasks.js'
import { bulkInsertTasks } from './sqlite/bulk-insert.js'
import { openSqliteConnection } from './sqlite/sqlite-database.js'

// `npm run db:seed -- --count N [--file PATH]`: fills a new database (by
// default DATABASE_URL's) with N generated tasks, the same ones for the same
// N (see generated-tasks.ts).
const USAGE = 'Usage: npm run db:seed -- [--count N] [--file PATH]'

function readArguments (): { count: number, file: string } {
  let values
  try {
    values = parseArgs({ options: { count: { type: 'string', default: '10000' }, file: { type: 'string' } } }).values
  } catch (error) {
    throw new Error(`${(error as Error).message.replace(/\.$/, '')}. ${USAGE}`)
  }
  const count = Number(values.count)
  if (!/^\d+$/.test(values.count) || !Number.isSafeInteger(count) || count < 1) {
    throw new Error(`--count must be a positive whole number, not "${values.count}". ${USAGE}`)
  }
  const file = values.file ?? loadConfig().DATABASE_URL
  if (isPostgresUrl(file)) throw new Error('db:seed fills a SQLite file; to have these tasks on PostgreSQL, seed a file and copy it with npm run db:copy.')
  return { count, file }
}

try {
  const { count, file } = readArguments()
  const started = performance.now()
  const db = openSqliteConnection(file)
  try {
    bulkInsertTasks(db, generateTasks(count))
  } finally {
    db.$client.close()
  }
  console.log(`Seeded ${count} tasks into ${file} in ${((performance.now() - started) / 1000).toFixed(1)} s.`)
} catch (error) {
  console.error((error as Error).message)
  process.exit(1)
}
