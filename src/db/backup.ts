import { existsSync, statSync } from 'node:fs'
import { parseArgs } from 'node:util'
import BetterSqlite3 from 'better-sqlite3'
import { loadConfig } from '../config.js'
import { isPostgresUrl } from './database-url.js'

// `npm run db:backup -- PATH`: copies the database at DATABASE_URL into a new
// file at PATH while the server keeps running, through SQLite's online backup
// API, and checks the copy.
const USAGE = 'Usage: npm run db:backup -- PATH'

function readArguments (): { source: string, target: string } {
  let positionals
  try {
    positionals = parseArgs({ allowPositionals: true, options: {} }).positionals
  } catch (error) {
    throw new Error(`${(error as Error).message.replace(/\.$/, '')}. ${USAGE}`)
  }
  const [target, ...extra] = positionals
  if (target === undefined || extra.length > 0) throw new Error(`Give one path to write the backup to. ${USAGE}`)
  if (existsSync(target)) throw new Error(`${target} already exists; a backup never overwrites a file.`)
  const source = loadConfig().DATABASE_URL
  if (isPostgresUrl(source)) {
    throw new Error('DATABASE_URL names a PostgreSQL database, which this command cannot copy: back it up with pg_dump, e.g. pg_dump --format=custom --file=backup.dump "$DATABASE_URL" (see Backups in README.md).')
  }
  if (source === ':memory:') throw new Error('DATABASE_URL is :memory:, which no other process can read.')
  if (!existsSync(source)) throw new Error(`There is no database at ${source} (DATABASE_URL).`)
  return { source, target }
}

try {
  const { source, target } = readArguments()
  const started = performance.now()
  const database = new BetterSqlite3(source, { readonly: true, fileMustExist: true })
  try {
    // Every page in one step: the copy is read in one read transaction, so it
    // is the database as of one moment, whatever the server writes meanwhile
    // (in WAL mode a reader never blocks the writer).
    await database.backup(target, { progress: ({ totalPages }) => totalPages })
  } finally {
    database.close()
  }
  const copy = new BetterSqlite3(target, { readonly: true })
  try {
    const integrity = copy.pragma('integrity_check', { simple: true })
    if (integrity !== 'ok') throw new Error(`The copy at ${target} failed its integrity check: ${String(integrity)}`)
    const tasks = copy.prepare('SELECT count(*) FROM tasks').pluck().get() as number
    const megabytes = (statSync(target).size / 1024 / 1024).toFixed(1)
    console.log(`Backed up ${source} (${tasks} tasks, ${megabytes} MB) to ${target} in ${((performance.now() - started) / 1000).toFixed(1)} s.`)
  } finally {
    copy.close()
  }
} catch (error) {
  console.error((error as Error).message)
  process.exit(1)
}
