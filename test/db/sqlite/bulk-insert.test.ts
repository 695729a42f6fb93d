import t, { type Test } from 'tap'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { CLIENTS, generateTasks, type GeneratedTask } from '../../../src/db/generated-tasks.js'
import { bulkInsertTasks } from '../../../src/db/sqlite/bulk-insert.js'
import { openSqliteConnection, openSqliteDatabase, type SqliteConnection } from '../../../src/db/sqlite/sqlite-database.js'
import { temporaryDirectory } from '../../helper.js'
import { asLocal } from '../local-tasks.js'

const COUNT = 2000

/** The indexes and triggers of a database, as written in its schema. */
function schemaObjects (client: BetterSqlite3.Database) {
  return client.prepare('SELECT type, name, tbl_name, sql FROM sqlite_master WHERE type IN (\'index\', \'trigger\') ORDER BY type, name').all()
}

/** The settings a bulk load changes for its duration. */
function pragmas (client: BetterSqlite3.Database) {
  return Object.fromEntries(['journal_mode', 'synchronous', 'cache_size', 'threads'].map((name) => [name, client.pragma(name, { simple: true })]))
}

function counters (client: BetterSqlite3.Database) {
  return {
    stored: client.prepare('SELECT status, priority, deleted, total FROM task_counts WHERE total <> 0 ORDER BY 1, 2, 3').raw().all(),
    counted: client.prepare('SELECT status, priority, deleted_at IS NOT NULL, count(*) FROM tasks GROUP BY 1, 2, 3 ORDER BY 1, 2, 3').raw().all()
  }
}

const taskCount = (client: BetterSqlite3.Database) => client.prepare('SELECT count(*) FROM tasks').pluck().get() as number

function openEmpty (t: Test): { path: string, connection: SqliteConnection } {
  const path = join(temporaryDirectory(t), 'bulk.db')
  const connection = openSqliteConnection(path)
  t.teardown(() => { if (connection.$client.open) connection.$client.close() })
  return { path, connection }
}

t.test('an empty database takes every row, keeping its indexes, triggers and settings', async (t) => {
  const { connection } = openEmpty(t)
  const client = connection.$client
  const objectsBefore = schemaObjects(client)
  const pragmasBefore = pragmas(client)
  t.equal(pragmasBefore.journal_mode, 'wal')
  t.equal(pragmasBefore.synchronous, 2, 'FULL')
  t.ok(objectsBefore.length > 10, 'the migrations made indexes and triggers')

  t.equal(bulkInsertTasks(connection, generateTasks(COUNT)), COUNT, 'returns how many it inserted')

  t.same(schemaObjects(client), objectsBefore, 'the same indexes and triggers, by name and definition')
  t.same(pragmas(client), pragmasBefore, 'journal mode back to WAL, synchronous and the rest as before')
  t.same(client.pragma('integrity_check', { simple: true }), 'ok')

  const stored = client.prepare('SELECT title, description, status, priority, assignee, created_at AS createdAt, updated_at AS updatedAt, deleted_at AS deletedAt, version, project_id AS projectId, created_by AS createdBy, notify_email AS notifyEmail, due_at AS dueAt, location_name AS locationName, location_latitude AS locationLatitude, location_longitude AS locationLongitude FROM tasks ORDER BY id').all()
  t.same(stored, [...generateTasks(COUNT)], 'every column of every row, in order')
  t.same(client.prepare('SELECT min(id), max(id) FROM tasks').raw().get(), [1, COUNT])

  const { stored: kept, counted } = counters(client)
  t.same(kept, counted, 'the counters are rebuilt from the rows')
  t.doesNotThrow(() => client.prepare('INSERT INTO tasks_search (tasks_search, rank) VALUES (\'integrity-check\', 1)').run(), 'the search index is rebuilt from the rows')
})

t.test('after a load, search, counts and writes work as on any database', async (t) => {
  const { path, connection } = openEmpty(t)
  bulkInsertTasks(connection, generateTasks(COUNT))
  connection.$client.close()

  const generated = [...generateTasks(COUNT)].map((task, index) => ({ ...task, id: index + 1 }))
  const asciiLower = (text: string) => text.replace(/[A-Z]/g, (letter) => letter.toLowerCase())
  const matches = (task: GeneratedTask, q: string) =>
    asciiLower(task.title).includes(asciiLower(q)) || (task.description !== null && asciiLower(task.description).includes(asciiLower(q)))

  const database = openSqliteDatabase(path)
  t.teardown(() => database.close())
  const client = CLIENTS.find((name) => generated.some((task) => task.title.includes(name))) as string
  for (const q of ['budget report', 'REPORT', 'café', 'ticket #1', client, 'Berlin', 'ka', 'no such words']) {
    const expected = generated.filter((task) => task.deletedAt === null && matches(task, q)).map((task) => task.id).reverse()
    const page = await asLocal(database.tasks).list({ q, limit: 100, offset: 0, sort_by: 'created_at', sort_order: 'desc', include_deleted: false })
    t.equal(expected.length > 0, q !== 'no such words', `${q} occurs in the generated text`)
    t.equal(page.total, expected.length, `total for ${q}`)
    t.same(page.items.map((task) => task.id), expected.slice(0, 100), `the newest matches for ${q}`)
  }

  const totalOf = async (query: { status?: 'pending', include_deleted?: boolean }) =>
    (await asLocal(database.tasks).list({ limit: 1, offset: 0, sort_by: 'created_at', sort_order: 'desc', include_deleted: false, ...query })).total
  const live = generated.filter((task) => task.deletedAt === null)
  t.equal(await totalOf({}), live.length)
  t.equal(await totalOf({ include_deleted: true }), COUNT)
  t.equal(await totalOf({ status: 'pending' }), live.filter((task) => task.status === 'pending').length)

  // The triggers are back: a new task is counted and found.
  const created = await asLocal(database.tasks).create({ title: 'Tune the xylophone', status: 'pending' })
  t.equal(created.id, COUNT + 1)
  t.equal(await totalOf({}), live.length + 1)
  t.equal(await totalOf({ status: 'pending' }), live.filter((task) => task.status === 'pending').length + 1)
  t.same((await asLocal(database.tasks).list({ q: 'XYLOPHONE', limit: 10, offset: 0, sort_by: 'created_at', sort_order: 'desc', include_deleted: false })).items.map((task) => task.id), [created.id])
  await asLocal(database.tasks).update(created.id, { title: 'Tune the marimba' })
  t.equal((await asLocal(database.tasks).list({ q: 'xylophone', limit: 10, offset: 0, sort_by: 'created_at', sort_order: 'desc', include_deleted: false })).total, 0)
  await asLocal(database.tasks).softDelete(created.id)
  t.equal(await totalOf({}), live.length)
  await database.close()

  const check = new BetterSqlite3(path, { readonly: true })
  t.teardown(() => check.close())
  const { stored, counted } = counters(check)
  t.same(stored, counted)
})

t.test('a database that holds tasks is refused and left as it was', async (t) => {
  const { connection } = openEmpty(t)
  const client = connection.$client
  bulkInsertTasks(connection, generateTasks(50))
  const objects = schemaObjects(client)
  const settings = pragmas(client)

  t.throws(() => bulkInsertTasks(connection, generateTasks(10)), { message: 'The database already holds 50 tasks; seed an empty one.' })
  t.equal(taskCount(client), 50)
  t.same(schemaObjects(client), objects)
  t.same(pragmas(client), settings)
})

t.test('a database holding only soft-deleted tasks is not empty either', async (t) => {
  const { connection } = openEmpty(t)
  connection.$client.prepare('INSERT INTO tasks (title, created_at, updated_at, deleted_at) VALUES (\'gone\', 1, 1, 1)').run()
  t.throws(() => bulkInsertTasks(connection, generateTasks(10)), { message: 'The database already holds 1 tasks; seed an empty one.' })
})

t.test('a load that fails part way stores nothing and restores the indexes, triggers and settings', async (t) => {
  const { connection } = openEmpty(t)
  const client = connection.$client
  const objects = schemaObjects(client)
  const settings = pragmas(client)

  const failure = new Error('the source ran dry')
  function * failing (): Generator<GeneratedTask> {
    yield * generateTasks(10)
    throw failure
  }
  t.throws(() => bulkInsertTasks(connection, failing()), failure)
  t.equal(taskCount(client), 0)
  t.same(schemaObjects(client), objects)
  t.same(pragmas(client), settings)

  const [first] = generateTasks(1)
  t.throws(() => bulkInsertTasks(connection, [first as GeneratedTask, { ...first as GeneratedTask, title: '' }]), /CHECK constraint failed: tasks_title_length/)
  t.equal(taskCount(client), 0)
  t.same(schemaObjects(client), objects)
  t.same(pragmas(client), settings)

  t.equal(bulkInsertTasks(connection, generateTasks(5)), 5, 'a later load works')
  t.same(counters(client).stored, counters(client).counted)
})

t.test('an in-memory database can be loaded too', async (t) => {
  const connection = openSqliteConnection(':memory:')
  t.teardown(() => connection.$client.close())
  const settings = pragmas(connection.$client)
  t.equal(bulkInsertTasks(connection, generateTasks(100)), 100)
  t.equal(taskCount(connection.$client), 100)
  t.same(pragmas(connection.$client), settings)
})
