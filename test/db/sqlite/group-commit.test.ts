import t, { type Test } from 'tap'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { createGroupCommit } from '../../../src/db/sqlite/group-commit.js'
import { temporaryDirectory } from '../../helper.js'

/**
 * A writer on a WAL file with a small table, and a second connection that
 * sees only what the writer has committed.
 */
function open (t: Test) {
  const path = join(temporaryDirectory(t), 'group.db')
  const client = new BetterSqlite3(path)
  client.pragma('journal_mode = WAL')
  client.exec('CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL CHECK (length(name) > 0))')
  const reader = new BetterSqlite3(path, { readonly: true })
  t.teardown(() => {
    reader.close()
    if (client.open) client.close()
  })
  const insert = client.prepare('INSERT INTO items (name) VALUES (?)')
  const add = (name: string | null) => Number(insert.run(name).lastInsertRowid)
  const committed = () => reader.prepare('SELECT count(*) FROM items').pluck().get() as number
  const stored = () => reader.prepare('SELECT id, name FROM items ORDER BY id').all() as Array<{ id: number, name: string }>
  return { client, write: createGroupCommit(client), add, committed, stored }
}

t.test('concurrent writes all resolve with their own results and every row is stored', async (t) => {
  const { write, add, stored } = open(t)
  const names = Array.from({ length: 200 }, (_, index) => `item ${index}`)
  const ids = await Promise.all(names.map((name) => write(() => add(name))))
  t.same(ids, names.map((_, index) => index + 1), 'each promise has the id of its own insert')
  t.same(stored(), names.map((name, index) => ({ id: index + 1, name })))
})

t.test('writes queued in the same turn share one transaction, committed once all have run', async (t) => {
  const { write, add, committed } = open(t)
  // Each write looks at what another connection can see: nothing of the
  // group until the group commits.
  const seen = await Promise.all(['a', 'b', 'c', 'd'].map((name) => write(() => {
    const before = committed()
    add(name)
    return before
  })))
  t.same(seen, [0, 0, 0, 0])
  t.equal(committed(), 4)
})

t.test('a promise settles only after its write is committed', async (t) => {
  const { write, add, committed } = open(t)
  await write(() => add('first'))
  t.equal(committed(), 1)
})

t.test('a write queued after a flush runs in a new transaction and sees the earlier ones committed', async (t) => {
  const { write, add, committed, stored } = open(t)
  const first = await Promise.all([write(() => add('a')), write(() => add('b'))])
  const second = await write(() => ({ id: add('c'), before: committed() }))
  t.same(first, [1, 2])
  t.same(second, { id: 3, before: 2 })

  // Queued from the callback of a settled write: after that group's flush.
  const chained = await write(() => add('d')).then(() => write(() => committed()))
  t.equal(chained, 4)
  t.same(stored().map((row) => row.name), ['a', 'b', 'c', 'd'])
})

t.test('one failing write in a group rejects alone; the others are stored, the failing one leaves nothing', async (t) => {
  const { write, add, committed, stored } = open(t)
  const afterInsert = new Error('fails after inserting')
  const results = await Promise.allSettled([
    write(() => add('kept 1')),
    write(() => add(null)), // NOT NULL
    write(() => add('')), // CHECK
    write(() => {
      add('half done')
      throw afterInsert
    }),
    write(() => ({ id: add('kept 2'), before: committed() }))
  ])

  t.match(results[0], { status: 'fulfilled', value: 1 })
  t.match(results[1], { status: 'rejected', reason: { message: /NOT NULL constraint failed: items.name/ } })
  t.match(results[2], { status: 'rejected', reason: { message: /CHECK constraint failed/ } })
  t.equal(results[3]?.status === 'rejected' ? results[3].reason : undefined, afterInsert, 'the very error thrown')
  // Run again alone, the last write sees the first one already committed.
  t.match(results[4], { status: 'fulfilled', value: { id: 2, before: 1 } })
  t.same(stored(), [{ id: 1, name: 'kept 1' }, { id: 2, name: 'kept 2' }], 'no partial insert of the failing write')
})

t.test('a group of one failing write rejects and stores nothing', async (t) => {
  const { write, add, stored } = open(t)
  await t.rejects(write(() => add(null)), /NOT NULL constraint failed/)
  t.same(stored(), [])
  t.equal(await write(() => add('after')), 1, 'the next write works')
})

t.test('when no commit can happen, every write of the group rejects', async (t) => {
  const { client, write, add } = open(t)
  const pending = [write(() => add('a')), write(() => add('b')), write(() => 'no insert at all')]
  client.close() // before the flush, which runs on a later turn
  const results = await Promise.allSettled(pending)
  t.same(results.map((result) => result.status), ['rejected', 'rejected', 'rejected'])
  for (const result of results) t.match(result, { reason: { message: /not open/ } })
})

t.test('every write of a group failing alone rejects each with its own error', async (t) => {
  const { write, stored } = open(t)
  const errors = [new Error('one'), new Error('two')]
  const results = await Promise.allSettled(errors.map((error) => write(() => { throw error })))
  results.forEach((result, index) => t.equal(result.status === 'rejected' ? result.reason : undefined, errors[index]))
  t.same(stored(), [])
})

t.test('when the database itself fails, every write of the group is refused with that error, none run again', async (t) => {
  const { client, write, add, committed } = open(t)
  client.pragma('query_only = 1')
  let runs = 0
  const results = await Promise.allSettled(['a', 'b', 'c'].map((name) => write(() => { runs++; return add(name) })))
  t.equal(runs, 0, 'the write lock was refused as the group began: no write ran, and none was tried alone (it would fail the same way)')
  for (const result of results) t.match(result, { status: 'rejected', reason: { code: 'SQLITE_READONLY' } })
  client.pragma('query_only = 0')
  t.equal(await write(() => add('after')), 1, 'later writes go through once the fault is gone')
  t.equal(committed(), 1)
})
