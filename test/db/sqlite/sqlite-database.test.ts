import t, { type Test } from 'tap'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { openSqliteDatabase } from '../../../src/db/sqlite/sqlite-database.js'
import { ROOT, temporaryDirectory } from '../../helper.js'
import { asLocal } from '../local-tasks.js'

const journal = JSON.parse(readFileSync(join(ROOT, 'migrations/sqlite/meta/_journal.json'), 'utf8')) as { entries: unknown[] }

function inspect (t: Test, path: string) {
  const db = new BetterSqlite3(path)
  t.teardown(() => db.close())
  return db
}

t.test('the migrations build the schema in a new file, creating its directory, in WAL mode', async (t) => {
  const path = join(temporaryDirectory(t), 'a', 'b', 'tasks.db')
  const database = openSqliteDatabase(path)
  await database.close()
  t.ok(existsSync(path))

  const db = inspect(t, path)
  t.equal(db.pragma('journal_mode', { simple: true }), 'wal')
  const columns = (db.pragma('table_info(tasks)') as Array<{ name: string }>).map((column) => column.name)
  t.same(columns, ['id', 'title', 'description', 'status', 'priority', 'assignee', 'created_at', 'updated_at', 'deleted_at', 'version', 'project_id', 'created_by', 'notify_email', 'due_at', 'location_name', 'location_latitude', 'location_longitude'])
  const keyColumns = (db.pragma('table_info(idempotency_keys)') as Array<{ name: string }>).map((column) => column.name)
  t.same(keyColumns, ['user_id', 'key', 'fingerprint', 'status', 'location', 'etag', 'body', 'expires_at'])
  t.equal((db.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number }).n, journal.entries.length, 'every migration is recorded')
})

t.test('an existing empty file is migrated', async (t) => {
  const path = join(temporaryDirectory(t), 'empty.db')
  writeFileSync(path, '')
  const database = openSqliteDatabase(path)
  const task = await asLocal(database.tasks).create({ title: 'First' })
  t.equal(task.id, 1)
  await database.close()
})

t.test('reopening keeps the data and applies no migration twice', async (t) => {
  const path = join(temporaryDirectory(t), 'tasks.db')
  const first = openSqliteDatabase(path)
  const task = await asLocal(first.tasks).create({ title: 'Kept' })
  await first.close()
  await first.close() // closing twice is harmless

  const second = openSqliteDatabase(path)
  t.same(await asLocal(second.tasks).findById(task.id), task)
  await second.close()
  t.equal((inspect(t, path).prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number }).n, journal.entries.length)
})

t.test('a file that is not a database is refused', async (t) => {
  const path = join(temporaryDirectory(t), 'not-a.db')
  writeFileSync(path, 'this is not a database, just text that is long enough to fill a header.'.repeat(10))
  t.throws(() => openSqliteDatabase(path), { message: /not a database/ })
})

t.test('the table refuses rows that break the contract, even bypassing the API', async (t) => {
  const path = join(temporaryDirectory(t), 'tasks.db')
  await openSqliteDatabase(path).close()
  const db = inspect(t, path)
  const insert = db.prepare('INSERT INTO tasks (title, status, priority, created_at, updated_at) VALUES (?, ?, ?, 0, 0)')
  t.throws(() => insert.run('', 'pending', 2), /CHECK constraint failed: tasks_title_length/)
  t.throws(() => insert.run('x'.repeat(201), 'pending', 2), /CHECK constraint failed: tasks_title_length/)
  t.throws(() => insert.run('ok', 'someday', 2), /CHECK constraint failed: tasks_status_known/)
  t.throws(() => insert.run('ok', 'pending', 6), /CHECK constraint failed: tasks_priority_range/)
  t.throws(() => insert.run(null, 'pending', 2), /NOT NULL constraint failed/)
  t.equal((db.prepare('SELECT count(*) AS n FROM tasks').get() as { n: number }).n, 0, 'no row was written')
})

t.test(':memory: databases leave no file behind', async (t) => {
  const database = openSqliteDatabase(':memory:')
  await asLocal(database.tasks).create({ title: 'ephemeral' })
  await database.ping()
  await database.close()
  t.notOk(existsSync(join(ROOT, ':memory:')))
})
