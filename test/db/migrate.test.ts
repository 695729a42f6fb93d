import t from 'tap'
import { cpSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import { LOCAL_USER_ID } from '../../src/db/local-user.js'
import { openSqliteDatabase } from '../../src/db/sqlite/sqlite-database.js'
import { ROOT, runToExit, temporaryDirectory } from '../helper.js'
import { asLocal } from './local-tasks.js'

t.test('npm run db:migrate\'s script brings a new database file up to date', async (t) => {
  const path = join(temporaryDirectory(t), 'fresh', 'tasks.db')
  const { code, output } = await runToExit('src/db/migrate.ts', { DATABASE_URL: path })
  t.equal(code, 0)
  t.match(output, `Database ${path} is up to date.`)
  const db = new BetterSqlite3(path, { readonly: true })
  t.teardown(() => db.close())
  t.ok(db.prepare('SELECT name FROM sqlite_master WHERE type = \'table\' AND name = \'tasks\'').get())
})

t.test('the migrate script fails with exit 1 on a bad setting or an unusable file', async (t) => {
  const badSetting = await runToExit('src/db/migrate.ts', { DATABASE_URL: ':memory:', LOG_LEVEL: 'shout' })
  t.equal(badSetting.code, 1)
  t.match(badSetting.output, /^Invalid setting LOG_LEVEL="shout": /)

  const path = join(temporaryDirectory(t), 'garbage.db')
  writeFileSync(path, 'garbage'.repeat(100))
  const unusable = await runToExit('src/db/migrate.ts', { DATABASE_URL: path })
  t.equal(unusable.code, 1)
  t.match(unusable.output, /not a database/)
})

t.test('a database made before users existed keeps every task and key, given to the local user', async (t) => {
  // The migrations as they were before users: the first five, applied as a server of that time did.
  const directory = temporaryDirectory(t)
  const before = join(directory, 'migrations')
  cpSync(join(ROOT, 'migrations/sqlite'), before, { recursive: true })
  const journalPath = join(before, 'meta/_journal.json')
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: Array<{ tag: string }> }
  writeFileSync(journalPath, JSON.stringify({ ...journal, entries: journal.entries.slice(0, journal.entries.findIndex((entry) => entry.tag === '0005_users_tokens_and_projects')) }))
  const path = join(directory, 'tasks.db')
  const old = new BetterSqlite3(path)
  migrate(drizzle({ client: old }), { migrationsFolder: before })
  old.prepare('INSERT INTO tasks (title, created_at, updated_at) VALUES (?, ?, ?)').run('Made long ago', 1, 2)
  old.prepare('INSERT INTO idempotency_keys (key, fingerprint, status, body, expires_at) VALUES (?, ?, ?, ?, ?)').run('old-key', 'f', 201, '{}', Date.now() + 60_000)
  old.close()

  const database = openSqliteDatabase(path)
  t.teardown(() => database.close())
  t.match(await asLocal(database.tasks).findById(1), { title: 'Made long ago', project: null, created_by: 'local', version: 1 }, 'the task is the local user\'s')
  t.match(await database.idempotency.find(LOCAL_USER_ID, 'old-key', Date.now()), { status: 201, userId: LOCAL_USER_ID }, 'and so is the key')
  t.match(await database.users.findById(LOCAL_USER_ID), { username: 'local', role: 'admin', passwordHash: null })
  t.equal(await database.users.countWithPassword(), 0, 'nobody can sign in yet')
})
