import t, { type Test } from 'tap'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { getTableColumns } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import type { ListPosition } from '../../../src/db/database.js'
import { generateTasks } from '../../../src/db/generated-tasks.js'
import { seededRandom } from '../../../src/db/seeded-random.js'
import { bulkInsertTasks } from '../../../src/db/sqlite/bulk-insert.js'
import { tasks as tasksTable } from '../../../src/db/sqlite/schema.js'
import { createGroupCommit } from '../../../src/db/sqlite/group-commit.js'
import { createSqliteIdempotencyRepository } from '../../../src/db/sqlite/idempotency-repository.js'
import { openSqliteConnection, openSqliteDatabase, type SqliteConnection } from '../../../src/db/sqlite/sqlite-database.js'
import { createSqliteTaskRepository } from '../../../src/db/sqlite/task-repository.js'
import { TASK_STATUSES, type Task, type TaskCreate, type TaskListQuery, type TaskStatus, type TaskUpdate } from '../../../src/schemas/task.js'
import { temporaryDirectory } from '../../helper.js'
import { asLocal, type LocalTasks } from '../local-tasks.js'
import { contains, expectedIds, filterCombinations, listDifferences, listQuery, positionOf, sorts, taskOf, type StoredRow } from '../task-brute-force.js'

// ---------------------------------------------------------------------------
// A workload of creates, updates, soft deletes and restores, sequential and
// concurrent, checked against a model as it goes.

// Text chosen for the searches below: case, LIKE's special characters, quotes,
// non-ASCII, characters outside the BMP, words only in descriptions, and
// trigrams that occur apart but never together.
const TITLES = [
  'Write the budget report', 'review BUDGET Report', 'REPORT to the board', '100% done', '1000 done',
  'snake_case name', 'snakeXcase name', 'C:\\temp cleanup', 'C:temp cleanup', 'say "hi" now',
  'Lunch at the café', 'CAFÉ opening', 'Café menu', 'naïve plan', 'NAÏVE PLAN', '🎉 party planning',
  'a🎉b🎉c', 'obsolete plan', 'Obsolete report', 'abcXXbcdYYcde', 'ends with alpha', 'plain task', 'x', 'Ab',
  '%_\\ all three', 'résumé review', 'Ünïcödé title', '日本語のタスク', 'tab\there',
  // Ordered differently by UTF-16 units and by UTF-8 bytes, against the emoji above.
  'Ｆｕｌｌｗｉｄｔｈ task'
]
const DESCRIPTIONS = [
  null, null, 'beta starts the description', 'only here: zebra crossing', 'the REPORT is due', '50% off',
  'under_score', 'back\\slash', 'quote " inside', 'café au lait', '', 'Zebra again', 'OBSOLETE notes', '🎉🎉🎉 confetti'
]

interface ModelTask { title: string, description: string | null, status: TaskStatus, priority: number, assignee: string | null, deleted: boolean }

function expectFields (t: Test, task: Task | string | undefined, model: ModelTask | undefined, label: string) {
  if (model === undefined) {
    t.equal(task, 'not-found', label)
    return
  }
  t.match(task, {
    title: model.title,
    description: model.description,
    status: model.status,
    priority: model.priority,
    assignee: model.assignee,
    deleted_at: model.deleted ? String : null
  }, label)
}

/**
 * Runs the workload through `repository`, checking each result against a
 * model of what must be stored, and returns the model.
 */
async function runWorkload (t: Test, repository: LocalTasks): Promise<Map<number, ModelTask>> {
  const random = seededRandom(0x5eed)
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T
  const model = new Map<number, ModelTask>()

  const newTask = (): TaskCreate => ({
    title: pick(TITLES),
    description: pick(DESCRIPTIONS),
    status: pick(TASK_STATUSES),
    priority: 1 + Math.floor(random() * 5),
    assignee: random() < 0.5 ? pick(['alice', 'bob', 'Zoë']) : null
  })
  const remember = (task: Task) => {
    model.set(task.id, { title: task.title, description: task.description, status: task.status, priority: task.priority, assignee: task.assignee, deleted: false })
  }

  // One at a time, each its own group.
  for (let index = 0; index < 25; index++) {
    const input = newTask()
    const task = await repository.create(input)
    t.match(task, { ...input, deleted_at: null }, 'a created task has what was given')
    remember(task)
  }

  // Many at once, with two that break the table's constraints among them.
  const inputs: TaskCreate[] = Array.from({ length: 90 }, newTask)
  inputs.splice(30, 0, { title: '' })
  inputs.splice(60, 0, { title: 'x'.repeat(201) })
  const created = await Promise.allSettled(inputs.map((input) => repository.create(input)))
  created.forEach((result, index) => {
    const input = inputs[index] as TaskCreate
    if (index === 30 || index === 60) {
      t.match(result, { status: 'rejected', reason: { message: /CHECK constraint failed: tasks_title_length/ } }, 'the bad create fails alone')
      return
    }
    t.equal(result.status, 'fulfilled')
    if (result.status === 'fulfilled') {
      t.match(result.value, { title: input.title, status: input.status, priority: input.priority })
      remember(result.value)
    }
  })
  t.equal(model.size, 115)
  const ids = [...model.keys()]
  t.same(ids, [...ids].sort((a, b) => a - b), 'ids follow the order the creates were queued in')

  // Rounds of concurrent updates, soft deletes and restores, on tasks that
  // exist or not, live or deleted, some several times in one round.
  const maxId = Math.max(...ids)
  for (let round = 0; round < 10; round++) {
    type Operation = { run: () => Promise<unknown>, check: (result: PromiseSettledResult<unknown>) => void }
    const operations: Operation[] = []
    for (let index = 0; index < 40; index++) {
      const id = 1 + Math.floor(random() * (maxId + 3))
      const roll = random()
      const label = `round ${round}, operation ${index} on ${id}`
      if (roll < 0.5) {
        const changes: TaskUpdate = {}
        if (random() < 0.5) changes.title = pick(TITLES)
        if (random() < 0.4) changes.description = pick(DESCRIPTIONS)
        if (random() < 0.5) changes.status = pick(TASK_STATUSES)
        if (random() < 0.5) changes.priority = 1 + Math.floor(random() * 5)
        if (random() < 0.1) changes.assignee = null
        if (random() < 0.05) changes.title = '' // fails: the whole change is refused
        const before = model.get(id)
        let after: ModelTask | undefined
        if (before !== undefined && !before.deleted) {
          after = changes.title === ''
            ? before
            : {
                ...before,
                ...Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined))
              } as ModelTask
          model.set(id, after)
        }
        const expected = after
        operations.push({
          run: () => repository.update(id, changes),
          check: (result) => {
            if (changes.title === '' && expected !== undefined) {
              t.match(result, { status: 'rejected', reason: { message: /CHECK constraint failed/ } }, label)
            } else {
              expectFields(t, result.status === 'fulfilled' ? result.value as Task : undefined, expected, `update: ${label}`)
            }
          }
        })
      } else if (roll < 0.8) {
        const before = model.get(id)
        const deleted = before !== undefined && !before.deleted
        if (deleted) model.set(id, { ...before, deleted: true })
        operations.push({
          run: () => repository.softDelete(id),
          check: (result) => t.match(result, { status: 'fulfilled', value: deleted ? { id, deleted_at: String } : 'not-found' }, `soft delete: ${label}`)
        })
      } else {
        const before = model.get(id)
        const after = before === undefined ? undefined : { ...before, deleted: false }
        if (after !== undefined) model.set(id, after)
        operations.push({
          run: () => repository.restore(id),
          check: (result) => expectFields(t, result.status === 'fulfilled' ? result.value as Task : undefined, after, `restore: ${label}`)
        })
      }
    }
    const results = await Promise.allSettled(operations.map((operation) => operation.run()))
    results.forEach((result, index) => operations[index]?.check(result))
  }

  // Words that were in titles and descriptions, all changed away.
  await Promise.all([...model].map(async ([id, task]) => {
    const changes: TaskUpdate = {}
    if (/obsolete/i.test(task.title)) changes.title = task.title.replace(/obsolete/i, 'current')
    if (task.description !== null && /obsolete/i.test(task.description)) changes.description = null
    if (Object.keys(changes).length === 0) return
    const wasDeleted = task.deleted
    if (wasDeleted) await repository.restore(id)
    const updated = await repository.update(id, changes)
    model.set(id, { ...task, ...changes })
    t.match(updated, changes)
    if (wasDeleted) t.match(await repository.softDelete(id), { id })
  }))

  // Some tasks for the text a search must never find.
  for (const [title, description] of [['ends with alpha', 'beta starts the description'], ['abcXXbcdYYcde', 'no match']] as const) {
    remember(await repository.create({ title, description }))
  }
  return model
}

/** A repository on a file, with the workload run through it and a second connection to read it directly. */
async function workedDatabase (t: Test) {
  const path = join(temporaryDirectory(t), 'tasks.db')
  const database = openSqliteDatabase(path)
  t.teardown(() => database.close())
  const repository = asLocal(database.tasks)
  const model = await runWorkload(t, repository)
  const reader = new BetterSqlite3(path, { readonly: true })
  t.teardown(() => reader.close())
  const rows = reader.prepare('SELECT * FROM tasks ORDER BY id').all() as StoredRow[]
  return { path, database, repository, model, reader, rows }
}

// ---------------------------------------------------------------------------

t.test('rows are returned in the table\'s column order, the order recordFrom relies on', async (t) => {
  t.same(Object.keys(getTableColumns(tasksTable)), ['id', 'title', 'description', 'status', 'priority', 'assignee', 'createdAt', 'updatedAt', 'deletedAt', 'version', 'projectId', 'createdBy'])
})

t.test('each method reports what it did to a single task', async (t) => {
  const database = openSqliteDatabase(':memory:')
  t.teardown(() => database.close())
  const tasks = asLocal(database.tasks)

  const created = await tasks.create({ title: 'Only the title' })
  t.match(created, { id: 1, title: 'Only the title', description: null, status: 'pending', priority: 2, assignee: null, deleted_at: null, version: 1 })
  t.equal(created.updated_at, created.created_at)
  t.same(await tasks.findById(1), created)
  t.equal(await tasks.findById(2), undefined, 'no such task')

  t.same(await tasks.update(1, {}), created, 'no change leaves the task as it was')
  t.same(await tasks.update(1, { title: 'Only the title', priority: 2 }), created, 'the same values are no change')
  const updated = await tasks.update(1, { description: 'Now described', assignee: 'ana', status: 'done', priority: 5 }) as Task
  t.match(updated, { id: 1, title: 'Only the title', description: 'Now described', assignee: 'ana', status: 'done', priority: 5, version: 2 })
  t.ok(updated.updated_at > created.updated_at, 'updated_at moves on every change')
  const cleared = await tasks.update(1, { description: null, assignee: null }) as Task
  t.match(cleared, { description: null, assignee: null, version: 3 })
  t.ok(cleared.updated_at > updated.updated_at)
  t.equal(await tasks.update(2, { title: 'nobody' }), 'not-found', 'updating a missing task')

  t.equal(await tasks.update(1, { title: 'stale' }, { precondition: ({ version }) => version === 2 }), 'precondition-failed', 'a failed precondition')
  t.same(await tasks.findById(1), cleared, 'changes nothing')

  t.same(await tasks.restore(1), cleared, 'restoring a live task changes nothing')
  const deleted = await tasks.softDelete(1) as Task
  t.match(deleted, { id: 1, version: 4, deleted_at: deleted.updated_at })
  t.ok(deleted.updated_at > cleared.updated_at)
  t.equal(await tasks.softDelete(1), 'not-found', 'a deleted task cannot be deleted again')
  t.equal(await tasks.softDelete(2), 'not-found', 'nor a missing one')
  t.equal(await tasks.findById(1), undefined, 'a deleted task is not found')
  t.equal(await tasks.update(1, { title: 'ghost' }), 'not-found', 'nor updated')
  t.same((await tasks.list(listQuery({ include_deleted: true }))).items, [deleted], 'listed as deleted')

  t.equal(await tasks.restore(1, { precondition: ({ version }) => version === 3 }), 'precondition-failed')
  const restored = await tasks.restore(1, { precondition: ({ version }) => version === 4 }) as Task
  t.match(restored, { id: 1, title: 'Only the title', deleted_at: null, version: 5 })
  t.ok(restored.updated_at > deleted.updated_at)
  t.same(await tasks.findById(1), restored)
  t.equal(await tasks.restore(2), 'not-found', 'restoring a missing task')
})

t.test('after a mixed workload the rows are what the operations said', async (t) => {
  const { model, rows, repository } = await workedDatabase(t)
  t.same(rows.map((row) => row.id), [...model.keys()].sort((a, b) => a - b), 'one row per created task')
  for (const row of rows) {
    const task = model.get(row.id) as ModelTask
    t.same({ title: row.title, description: row.description, status: row.status, priority: row.priority, assignee: row.assignee, deleted: row.deleted_at !== null }, task, `task ${row.id}`)
    t.ok(row.updated_at >= row.created_at && (row.deleted_at === null || row.deleted_at === row.updated_at))
  }
  t.ok(rows.some((row) => row.deleted_at !== null) && rows.some((row) => row.deleted_at === null), 'both deleted and live tasks')
  for (const row of rows) {
    if (row.deleted_at === null) t.same(await repository.findById(row.id), taskOf(row))
  }
})

t.test('the counters equal a count of the rows, so every total without a search is exact', async (t) => {
  const { reader, rows, repository } = await workedDatabase(t)
  const counters = reader.prepare('SELECT status, priority, deleted, total FROM task_counts WHERE total <> 0 ORDER BY 1, 2, 3').raw().all()
  const counted = reader.prepare('SELECT status, priority, deleted_at IS NOT NULL, count(*) FROM tasks GROUP BY 1, 2, 3 ORDER BY 1, 2, 3').raw().all()
  t.same(counters, counted)
  t.equal(reader.prepare('SELECT count(*) FROM task_counts WHERE total < 0').pluck().get(), 0, 'no counter below zero')

  const differences: string[] = []
  for (const filters of filterCombinations()) {
    const query = listQuery({ ...filters, limit: 100 })
    const { total } = await repository.list(query)
    const expected = expectedIds(rows, query).length
    if (total !== expected) differences.push(`${JSON.stringify(filters)}: total ${total}, expected ${expected}`)
  }
  t.same(differences, [], 'all 60 filter combinations')
})

t.test('without a search, every filter, sort and page gives the brute-force tasks in order', async (t) => {
  const { rows, repository } = await workedDatabase(t)
  const differences: string[] = []
  for (const filters of filterCombinations()) {
    for (const sort of sorts()) differences.push(...await listDifferences(repository.list, rows, listQuery({ ...filters, ...sort, limit: 17 })))
  }
  t.same(differences, [])
  t.same((await repository.list(listQuery({ include_deleted: true, limit: 1000 }))).items, rows.map((row) => taskOf(row)).reverse(), 'every task, mapped whole')
})

// Search terms, each with why it is there.
const SEARCHES: Array<[string, string]> = [
  ['report', 'in titles in every case, and in a description'],
  ['RePoRt', 'mixed case'],
  ['budget report', 'a phrase with a space'],
  ['zebra', 'only ever in descriptions'],
  ['ZEBRA CROSSING', 'a description phrase, upper case'],
  ['obsolete', 'was in titles and descriptions, changed away by updates'],
  ['current', 'what the updates put there'],
  ['alphabeta', 'the end of a title and the start of its description'],
  ['alpha beta', 'the same with a space'],
  ['alpha', 'the end of a title'],
  ['abcde', 'every trigram searched for is in the title, the term is not'],
  ['bcdYY', 'a real substring of that title'],
  ['0% d', '% in a term of 3+ characters'],
  ['0%', '% in a short term'],
  ['%', '% alone'],
  ['e_c', '_ in a term of 3+ characters'],
  ['_', '_ alone'],
  [':\\t', 'a backslash in a term of 3+ characters'],
  ['\\', 'a backslash alone'],
  ['%_\\', 'all three'],
  ['"hi"', 'double quotes'],
  ['"', 'a double quote alone'],
  ['" i', 'a double quote among others'],
  ['café', 'non-ASCII'],
  ['CAFÉ', 'non-ASCII upper case: only A-Z fold'],
  ['Café', 'non-ASCII, capitalized'],
  ['naïve', 'non-ASCII in the middle'],
  ['NAÏVE', 'non-ASCII upper case'],
  ['résumé', 'several non-ASCII letters'],
  ['日本語', 'CJK'],
  ['🎉', 'one character outside the BMP, two UTF-16 units'],
  ['🎉🎉', 'two such characters'],
  ['🎉🎉🎉', 'three: a trigram'],
  ['a🎉b', 'mixed'],
  ['🎉 party', 'mixed, longer'],
  ['\t', 'a tab'],
  ['b\the', 'a tab inside a term'],
  ['x', 'one ASCII letter'],
  ['ab', 'two letters'],
  ['AB', 'two letters, upper case'],
  ['done', 'a common word'],
  [' done', 'leading space'],
  ['the ', 'trailing space'],
  ['the', 'very common'],
  ['nothing like this anywhere', 'no match'],
  ['zz', 'short, no match'],
  ['Write the budget report', 'a whole title']
]

t.test('a search returns exactly the brute-force matches, in every order, filter and page', async (t) => {
  const { rows, repository } = await workedDatabase(t)
  for (const [q, why] of SEARCHES) {
    const differences: string[] = []
    for (const filters of filterCombinations()) {
      for (const sort of sorts()) differences.push(...await listDifferences(repository.list, rows, listQuery({ ...filters, ...sort, q, limit: 4 })))
    }
    t.same(differences, [], `q=${JSON.stringify(q)}: ${why}`)
  }
})

t.test('searches that must find nothing, or only what updates left', async (t) => {
  const { repository, rows } = await workedDatabase(t)
  const all = async (q: string) => (await repository.list(listQuery({ q, include_deleted: true, limit: 1000 }))).items
  t.ok(rows.some((row) => row.title === 'current plan' || row.title === 'current report'), 'the renamed titles are stored')
  t.same(await all('obsolete'), [], 'a word changed away is no longer found')
  t.ok((await all('current')).length > 0, 'the new word is')
  t.same(await all('alphabeta'), [], 'no match across title and description')
  t.same(await all('alpha beta'), [])
  t.same(await all('abcde'), [], 'trigrams apart are not the term')
  t.ok((await all('zebra')).every((task) => !contains(task.title, 'zebra') && contains(task.description, 'zebra')), 'description-only words')
  t.ok((await all('zebra')).length > 0)
  t.ok((await all('CAFÉ')).every((task) => task.title.includes('CAFÉ')), 'no Unicode case folding')
  t.ok((await all('café')).every((task) => contains(task.title, 'café') || contains(task.description, 'café')))
})

t.test('the search index agrees with the rows after the workload', async (t) => {
  const { path, database } = await workedDatabase(t)
  await database.close()
  const db = new BetterSqlite3(path)
  t.teardown(() => db.close())
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
  return asLocal(createSqliteTaskRepository(db, write, createSqliteIdempotencyRepository(db, write).save))
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

const SORT_COLUMN = { created_at: 'created_at', priority: 'priority', title: 'title' } as const

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
      ` ORDER BY ${SORT_COLUMN[query.sort_by]} ${direction}, id ${direction} LIMIT 20 OFFSET 0`
    const plan = planOf(db, statement, [query.status, query.priority].filter((value) => value !== undefined))
    t.notOk(plan.some((detail) => detail.includes('TEMP B-TREE')), `no sort: ${statement} → ${plan.join('; ')}`)
    t.ok(plan.some((detail) => /USING (COVERING )?INDEX/.test(detail)), `an index: ${statement} → ${plan.join('; ')}`)
    count++
  }
  t.equal(count, 2 * 2 * 2 * 3 * 2)
})

t.test('the statements the repository runs for those shapes use an index and never sort', async (t) => {
  const path = seededFile(t)
  // The repository over a connection that logs each statement it runs.
  const client = new BetterSqlite3(path)
  t.teardown(() => client.close())
  const executed: Array<{ query: string, params: unknown[] }> = []
  const repository = repositoryOver(drizzle({ client, logger: { logQuery: (query, params) => { executed.push({ query, params }) } } }))

  for (const query of shapes()) {
    // A first page by offset, then the next one after its last task (a cursor).
    const first = await repository.list(query)
    const last = first.items.at(-1) as Task
    for (const after of [undefined, positionOf(query, last)]) {
      executed.length = 0
      const page = await repository.list(query, after)
      t.equal(page.items.length, 20)
      const label = `${JSON.stringify(query)} after ${JSON.stringify(after)}`
      const pageStatements = executed.filter(({ query: statement }) => statement.includes('"tasks"') && /\blimit\b/i.test(statement))
      // After a position: the rest of its sort value, then, if the page is not full, what lies past it.
      t.ok(pageStatements.length === 1 || (after !== undefined && pageStatements.length === 2), `page statements for ${label}`)
      pageStatements.forEach(({ query: statement, params }, index) => {
        const plan = planOf(client, statement, params)
        t.notOk(plan.some((detail) => detail.includes('TEMP B-TREE')), `no sort: ${label} → ${plan.join('; ')}`)
        t.ok(plan.some((detail) => /USING (COVERING )?INDEX/.test(detail)), `an index: ${label} → ${plan.join('; ')}`)
        if (after !== undefined) {
          const seek = index === 0 ? /^SEARCH tasks USING .*=\? AND id[<>]\?\)/ : /^SEARCH tasks USING .*[<>]\?\)/
          t.ok(plan.some((detail) => seek.test(detail)), `seeks to the position: ${label} → ${plan.join('; ')}`)
        }
      })
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
