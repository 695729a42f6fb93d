import t, { type Test } from 'tap'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { getTableColumns } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import type { ListPosition } from '../../../src/db/database.js'
import { generateTasks } from '../../../src/db/generated-tasks.js'
import { bulkInsertTasks } from '../../../src/db/sqlite/bulk-insert.js'
import { tasks as tasksTable } from '../../../src/db/sqlite/schema.js'
import { createGroupCommit } from '../../../src/db/sqlite/group-commit.js'
import { createSqliteIdempotencyRepository } from '../../../src/db/sqlite/idempotency-repository.js'
import { createSqliteJobRepository } from '../../../src/db/sqlite/job-repository.js'
import { createSqliteEventLog } from '../../../src/db/sqlite/event-log.js'
import { createSqliteOutbox } from '../../../src/db/sqlite/outbox.js'
import { createSqliteWebhookRepository } from '../../../src/db/sqlite/webhook-repository.js'
import { openSqliteConnection, type SqliteConnection, type SqliteDatabase } from '../../../src/db/sqlite/sqlite-database.js'
import { createSqliteTaskRepository } from '../../../src/db/sqlite/task-repository.js'
import type { Task, TaskListQuery } from '../../../src/schemas/task.js'
import { temporaryDirectory } from '../../helper.js'
import { asLocal, type LocalTasks } from '../local-tasks.js'
import { taskRepositoryContract, workedDatabase, type TaskContractDatabase } from '../contracts/tasks.js'
import { filterCombinations, listQuery, positionOf, sorts, type StoredRow } from '../task-brute-force.js'
import { openSqlite } from './open-database.js'

const sqlite: TaskContractDatabase<SqliteDatabase> = {
  open: openSqlite,
  async storedRows (database) {
    return database.connection.$client.prepare('SELECT * FROM tasks ORDER BY id').all() as StoredRow[]
  }
}

taskRepositoryContract(t, sqlite)

const worked = (t: Test) => workedDatabase(t, sqlite)

t.test('rows are returned in the table\'s column order, the order recordFrom relies on', async (t) => {
  t.same(Object.keys(getTableColumns(tasksTable)), ['id', 'title', 'description', 'status', 'priority', 'assignee', 'createdAt', 'updatedAt', 'deletedAt', 'version', 'projectId', 'createdBy', 'notifyEmail', 'dueAt', 'locationName', 'locationLatitude', 'locationLongitude'])
})

t.test('the counters equal a count of the rows', async (t) => {
  const { database } = await worked(t)
  const reader = database.connection.$client
  const counters = reader.prepare('SELECT status, priority, deleted, total FROM task_counts WHERE total <> 0 ORDER BY 1, 2, 3').raw().all()
  const counted = reader.prepare('SELECT status, priority, deleted_at IS NOT NULL, count(*) FROM tasks GROUP BY 1, 2, 3 ORDER BY 1, 2, 3').raw().all()
  t.same(counters, counted)
  t.equal(reader.prepare('SELECT count(*) FROM task_counts WHERE total < 0').pluck().get(), 0, 'no counter below zero')
})

t.test('the search index agrees with the rows after the workload', async (t) => {
  const { database } = await worked(t)
  const db = database.connection.$client
  t.doesNotThrow(() => db.prepare('INSERT INTO tasks_search (tasks_search, rank) VALUES (\'integrity-check\', 1)').run())
})

// ---------------------------------------------------------------------------
// Query plans, on a few thousand generated tasks and no ANALYZE.

const PLAN_TASKS = 3000

function seededFile (t: Test): string {
  const path = join(temporaryDirectory(t), 'plans.db')
  const connection = openSqliteConnection(path)
  t.equal(bulkInsertTasks(connection, generateTasks(PLAN_TASKS)), PLAN_TASKS)
  connection.$client.close()
  return path
}

/** The task repository as openSqliteDatabase makes it, over a given connection. */
function repositoryOver (db: SqliteConnection): LocalTasks {
  const write = createGroupCommit(db.$client)
  const jobs = createSqliteJobRepository(db, write)
  const webhooks = createSqliteWebhookRepository(db, write, jobs.insert, jobs.enqueued)
  const outbox = createSqliteOutbox(db, jobs.insert, webhooks, createSqliteEventLog(db, write), jobs.enqueued)
  return asLocal(createSqliteTaskRepository(db, write, createSqliteIdempotencyRepository(db, write).save, outbox))
}

function planOf (db: BetterSqlite3.Database, statement: string, params: unknown[]): string[] {
  return (db.prepare(`EXPLAIN QUERY PLAN ${statement}`).all(...params) as Array<{ detail: string }>).map((step) => step.detail)
}

/** Filters and sorts of every list shape without a search, with values for them. */
function * shapes (): Generator<TaskListQuery> {
  for (const status of [undefined, 'done'] as const) {
    for (const priority of [undefined, 3]) {
      for (const includeDeleted of [false, true]) {
        for (const sort of sorts()) {
          yield listQuery({
            ...(status === undefined ? {} : { status }),
            ...(priority === undefined ? {} : { priority }),
            include_deleted: includeDeleted,
            ...sort
          })
        }
      }
    }
  }
}

/** What a list shape is ordered by: its column, or for due times the order's key, as the due indexes are written. */
function sortKey ({ sort_by: sortBy, sort_order: sortOrder }: TaskListQuery): string {
  if (sortBy !== 'due_at') return sortBy
  return `coalesce("tasks"."due_at", ${sortOrder === 'asc' ? '9007199254740991' : '-9007199254740991'})`
}

/** The due index a list sorted by due time reads: the order's, after its status and priority filters if it has them. */
function dueIndex (query: TaskListQuery): RegExp {
  const filters = `${query.status === undefined ? '' : 'status_'}${query.priority === undefined ? '' : 'priority_'}`
  return new RegExp(`USING (COVERING )?INDEX tasks_${filters}due_${query.sort_order}_idx\\b`)
}

t.test('every list shape without a search reads a page through an index, never sorting', async (t) => {
  const path = seededFile(t)
  const db = new BetterSqlite3(path, { readonly: true })
  t.teardown(() => db.close())
  t.equal(db.prepare('SELECT count(*) FROM sqlite_master WHERE name LIKE \'sqlite_stat%\'').pluck().get(), 0, 'no statistics: ANALYZE never ran')

  let count = 0
  for (const query of shapes()) {
    const conditions = [
      ...(query.include_deleted ? [] : ['deleted_at IS NULL']),
      ...(query.status === undefined ? [] : ['status = ?']),
      ...(query.priority === undefined ? [] : ['priority = ?'])
    ]
    const direction = query.sort_order.toUpperCase()
    const statement = `SELECT * FROM tasks${conditions.length === 0 ? '' : ` WHERE ${conditions.join(' AND ')}`}` +
      ` ORDER BY ${sortKey(query)} ${direction}, id ${direction} LIMIT 20 OFFSET 0`
    const plan = planOf(db, statement, [query.status, query.priority].filter((value) => value !== undefined))
    t.notOk(plan.some((detail) => detail.includes('TEMP B-TREE')), `no sort: ${statement} → ${plan.join('; ')}`)
    t.ok(plan.some((detail) => /USING (COVERING )?INDEX/.test(detail)), `an index: ${statement} → ${plan.join('; ')}`)
    if (query.sort_by === 'due_at') t.ok(plan.some((detail) => dueIndex(query).test(detail)), `the order's due index: ${statement} → ${plan.join('; ')}`)
    count++
  }
  t.equal(count, 2 * 2 * 2 * 4 * 2)
})

t.test('the statements the repository runs for those shapes use an index and never sort', async (t) => {
  const path = seededFile(t)
  // The repository over a connection that logs each statement it runs.
  const client = new BetterSqlite3(path)
  t.teardown(() => client.close())
  const executed: Array<{ query: string, params: unknown[] }> = []
  const repository = repositoryOver(drizzle({ client, logger: { logQuery: (query, params) => { executed.push({ query, params }) } } }))

  for (const query of shapes()) {
    // A first page by offset, then the next one after its last task (a
    // cursor); sorted by due time, also a page among the tasks without one,
    // whose position is the key past every due time. (Each is asked once:
    // a page asked again is answered from the pages remembered.)
    executed.length = 0
    const first = await repository.list(query)
    const firstStatements = [...executed]
    const last = first.items.at(-1) as Task
    const positions: ListPosition[] = [positionOf(query, last)]
    if (query.sort_by === 'due_at') {
      const [undated] = (await repository.list({ ...query, offset: first.total - 30 })).items
      t.equal(undated?.due_at, null, 'near the end, the tasks without a due time')
      positions.push(positionOf(query, undated as Task))
    }
    for (const after of [undefined, ...positions]) {
      executed.length = 0
      const page = after === undefined ? first : await repository.list(query, after)
      if (after === undefined) executed.push(...firstStatements)
      t.equal(page.items.length, 20)
      const label = `${JSON.stringify(query)} after ${JSON.stringify(after)}`
      const pageStatements = executed.filter(({ query: statement }) => statement.includes('"tasks"') && /\blimit\b/i.test(statement))
      // After a position: the rest of its sort value, then, if the page is not full, what lies past it.
      t.ok(pageStatements.length === 1 || (after !== undefined && pageStatements.length === 2), `page statements for ${label}`)
      pageStatements.forEach(({ query: statement, params }, index) => {
        const plan = planOf(client, statement, params)
        t.notOk(plan.some((detail) => detail.includes('TEMP B-TREE')), `no sort: ${label} → ${plan.join('; ')}`)
        t.ok(plan.some((detail) => /USING (COVERING )?INDEX/.test(detail)), `an index: ${label} → ${plan.join('; ')}`)
        if (query.sort_by === 'due_at') t.ok(plan.some((detail) => dueIndex(query).test(detail)), `the order's due index: ${label} → ${plan.join('; ')}`)
        if (after !== undefined) {
          const seek = index === 0 ? /^SEARCH tasks USING .*=\? AND id[<>]\?\)/ : /^SEARCH tasks USING .*[<>]\?\)/
          t.ok(plan.some((detail) => seek.test(detail)), `seeks to the position: ${label} → ${plan.join('; ')}`)
        }
      })
    }
  }
})

t.test('a due range or overdue is counted from a range of a due index alone, and paged without sorting: sorted by due time, from that range', async (t) => {
  const path = seededFile(t)
  const client = new BetterSqlite3(path)
  t.teardown(() => client.close())
  const executed: Array<{ query: string, params: unknown[] }> = []
  const repository = repositoryOver(drizzle({ client, logger: { logQuery: (query, params) => { executed.push({ query, params }) } } }))

  // The generated tasks fall due from 2023 to 2026, so before now: overdue when still open.
  const dueFilters: Array<Partial<TaskListQuery>> = [
    { due_after: '2024-01-01T00:00:00Z' }, { due_before: '2024-07-01T00:00:00Z' }, { due_after: '2024-01-01T00:00:00Z', due_before: '2024-07-01T00:00:00Z' },
    { overdue: true }, { overdue: true, due_after: '2024-01-01T00:00:00Z' }
  ]
  const orders: Array<Pick<TaskListQuery, 'sort_by' | 'sort_order'>> = [...sorts()].filter(({ sort_by: sortBy, sort_order: sortOrder }) => sortBy === 'due_at' || sortOrder === 'desc')
  for (const due of dueFilters) {
    for (const filters of [{}, { status: 'pending' as const }, { priority: 3 }, { include_deleted: true }]) {
      for (const order of orders) {
        const query = listQuery({ ...filters, ...due, ...order })
        const label = JSON.stringify(query)
        executed.length = 0
        const page = await repository.list(query)
        t.ok(page.total > 20 && page.items.length === 20, `a full page and more: ${label}`)
        const statements = executed.filter(({ query: statement }) => statement.includes('"tasks"'))
        const count = statements.find(({ query: statement }) => /^select count\(\*\)/i.test(statement))
        const pageStatement = statements.find(({ query: statement }) => /\blimit\b/i.test(statement))
        t.equal(statements.length, 2, `a count and a page: ${label}`)

        // Bounded on both sides, after the equality filters: the range given (overdue: before now), within the due
        // times there can be (leaving out the tasks without one).
        const rangeOf = (index: RegExp) => new RegExp(`^SEARCH tasks ${index.source} \\((\\w+=\\? AND )*<expr>>\\? AND <expr><\\?\\)$`)
        // A count reads the list's own key, or the ascending one; overdue, after each open status, whichever index holds them.
        const countOrder = query.sort_by === 'due_at' ? query.sort_order : 'asc'
        const countIndex = query.overdue === undefined
          ? dueIndex({ ...query, sort_order: countOrder })
          : new RegExp(`USING COVERING INDEX tasks_(status_)?(priority_)?due_${countOrder}_idx\\b`)
        const countPlan = planOf(client, count?.query as string, count?.params as unknown[])
        t.ok(countPlan.some((detail) => rangeOf(countIndex).test(detail) && detail.includes('COVERING')), `the count reads a range of a due index alone: ${label} → ${countPlan.join('; ')}`)

        const plan = planOf(client, pageStatement?.query as string, pageStatement?.params as unknown[])
        t.notOk(plan.some((detail) => detail.includes('TEMP B-TREE')), `no sort: ${label} → ${plan.join('; ')}`)
        if (query.sort_by === 'due_at') {
          t.ok(plan.some((detail) => rangeOf(dueIndex(query)).test(detail)), `the page reads the range of the order's due index: ${label} → ${plan.join('; ')}`)
        } else {
          t.ok(plan.some((detail) => /USING (COVERING )?INDEX tasks_/.test(detail)), `the page walks its sort index: ${label} → ${plan.join('; ')}`)
        }
      }
    }
  }
})

t.test('a search of 3+ characters starts from the trigram index, never scanning the tasks', async (t) => {
  const path = seededFile(t)
  const client = new BetterSqlite3(path)
  t.teardown(() => client.close())
  const executed: Array<{ query: string, params: unknown[] }> = []
  const repository = repositoryOver(drizzle({ client, logger: { logQuery: (query, params) => { executed.push({ query, params }) } } }))

  for (const sort of sorts()) {
    executed.length = 0
    const page = await repository.list(listQuery({ ...sort, q: 'budget report' }))
    t.ok(page.total > 0)
    const [search] = executed.filter(({ query }) => query.includes('MATCH'))
    t.ok(search, 'the trigram index is queried')
    const plan = planOf(client, search?.query as string, search?.params as unknown[])
    t.ok(plan.some((detail) => /tasks_search VIRTUAL TABLE/.test(detail)), plan.join('; '))
    t.ok(plan.some((detail) => /SEARCH tasks USING INTEGER PRIMARY KEY/.test(detail)), plan.join('; '))
    t.notOk(plan.some((detail) => /^SCAN tasks\b/.test(detail)), plan.join('; '))
  }
})

// ---------------------------------------------------------------------------

// ---------------------------------------------------------------------------
// Pages remembered while nothing changes.

t.test('a page asked again while nothing was written is answered without a query, and frozen', async (t) => {
  const client = new BetterSqlite3(seededFile(t))
  t.teardown(() => client.close())
  const executed: string[] = []
  const repository = repositoryOver(drizzle({ client, logger: { logQuery: (query) => { executed.push(query) } } }))
  const query = listQuery({ status: 'pending', sort_by: 'title', sort_order: 'asc' })
  const first = await repository.list(query)
  executed.length = 0
  const again = await repository.list(query)
  t.same(executed, [], 'no statement')
  t.same(again, first)
  t.ok(Object.isFrozen(again) && Object.isFrozen(again.items) && again.items.every((task) => Object.isFrozen(task)), 'shared, so frozen')
  await repository.list({ ...query, offset: 20 })
  t.ok(executed.length > 0, 'another page is read')
})

t.test('a remembered page is read again after any write of this connection, or any commit of another', async (t) => {
  const path = seededFile(t)
  const client = new BetterSqlite3(path)
  t.teardown(() => client.close())
  const repository = repositoryOver(drizzle({ client }))
  const query = listQuery({ sort_by: 'created_at', sort_order: 'desc' })
  const before = await repository.list(query)

  const created = await repository.create({ title: 'Written here' })
  const afterCreate = await repository.list(query)
  t.equal(afterCreate.total, before.total + 1, 'the total counts the new task')
  t.equal(afterCreate.items[0]?.id, created.id, 'and the page shows it')

  await repository.update(created.id, { title: 'Renamed here' })
  t.equal((await repository.list(query)).items[0]?.title, 'Renamed here', 'an update')

  // Another process: a second connection to the file.
  const other = new BetterSqlite3(path)
  t.teardown(() => other.close())
  other.prepare('UPDATE tasks SET title = ? WHERE id = ?').run('Renamed by another process', created.id)
  t.equal((await repository.list(query)).items[0]?.title, 'Renamed by another process', 'a commit of another connection')
  other.prepare('UPDATE tasks SET deleted_at = 1, version = version + 1 WHERE id = ?').run(created.id)
  const afterDelete = await repository.list(query)
  t.equal(afterDelete.total, before.total, 'a delete by another connection: the total')
  t.not(afterDelete.items[0]?.id, created.id, 'and the page')
})

t.test('a list that depends on the clock (overdue) is never remembered', async (t) => {
  const client = new BetterSqlite3(seededFile(t))
  t.teardown(() => client.close())
  const executed: string[] = []
  const repository = repositoryOver(drizzle({ client, logger: { logQuery: (query) => { executed.push(query) } } }))
  const query = listQuery({ overdue: true, sort_by: 'due_at', sort_order: 'asc' })
  await repository.list(query)
  executed.length = 0
  await repository.list(query)
  t.ok(executed.some((statement) => /\blimit\b/i.test(statement)), 'read again')
})

t.test('an update sets only the columns it changes, so SQLite maintains only their indexes', async (t) => {
  const client = new BetterSqlite3(seededFile(t))
  t.teardown(() => client.close())
  const executed: string[] = []
  const repository = repositoryOver(drizzle({ client, logger: { logQuery: (query) => { executed.push(query) } } }))
  const setColumns = () => {
    const statement = executed.find((query) => /^update "tasks"/i.test(query)) as string
    return [...statement.matchAll(/"(\w+)" = /g)].map(([, column]) => column).filter((column) => column !== 'id')
  }
  const created = await repository.create({ title: 'Updated column by column', status: 'pending', priority: 3 })
  executed.length = 0
  t.match(await repository.update(created.id, { title: 'Only the title' }), { title: 'Only the title', version: 2 })
  t.same(setColumns(), ['title', 'updated_at', 'version'])
  executed.length = 0
  t.match(await repository.update(created.id, { status: 'done', priority: 1, due_at: null, location: null }), { status: 'done', priority: 1, version: 3 })
  t.same(setColumns(), ['status', 'priority', 'updated_at', 'version'], 'the columns whose values differ: a due time or place already empty is not set')
})
