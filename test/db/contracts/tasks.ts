import type { Test } from 'tap'
import type { Database } from '../../../src/db/database.js'
import { TASK_STATUSES, type Task, type TaskCreate, type TaskStatus, type TaskUpdate } from '../../../src/schemas/task.js'
import { seededRandom } from '../../../src/db/seeded-random.js'
import { asLocal, type LocalTasks } from '../local-tasks.js'
import { contains, expectedIds, filterCombinations, listDifferences, listQuery, sorts, taskOf, type StoredRow } from '../task-brute-force.js'

/**
 * What the task contract runs on: a new, empty database for one test, and
 * the rows of its tasks table as stored, read past the repository. Writes are
 * expected to apply in the order they were queued (the workload's model
 * relies on it), as they do through SQLite's group commit or one connection.
 */
export interface TaskContractDatabase<D extends Database> {
  open: (t: Test) => Promise<D>
  storedRows: (database: D) => Promise<StoredRow[]>
}

/** Whether a write failed on the named CHECK constraint (the driver's error may be the cause of the ORM's). */
function violates (error: unknown, constraint: string): boolean {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    if (cause.message.includes(constraint)) return true
  }
  return false
}

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
      t.ok(result.status === 'rejected' && violates(result.reason, 'tasks_title_length'), 'the bad create fails alone')
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
              t.ok(result.status === 'rejected' && violates(result.reason, 'tasks_title_length'), label)
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

/** A database with the workload run through it, and its rows as stored. */
export async function workedDatabase<D extends Database> (t: Test, { open, storedRows }: TaskContractDatabase<D>) {
  const database = await open(t)
  const repository = asLocal(database.tasks)
  const model = await runWorkload(t, repository)
  return { database, repository, model, rows: await storedRows(database) }
}

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

/** The task repository's behaviour, as the API relies on it, for any database. */
export function taskRepositoryContract<D extends Database> (t: Test, { open, storedRows }: TaskContractDatabase<D>) {
  const worked = (t: Test) => workedDatabase(t, { open, storedRows })

  t.test('each method reports what it did to a single task', async (t) => {
    const tasks = asLocal((await open(t)).tasks)

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
    const { model, rows, repository } = await worked(t)
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

  t.test('every total without a search is exact, for all 60 filter combinations', async (t) => {
    const { rows, repository } = await worked(t)
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
    const { rows, repository } = await worked(t)
    const differences: string[] = []
    for (const filters of filterCombinations()) {
      for (const sort of sorts()) differences.push(...await listDifferences(repository.list, rows, listQuery({ ...filters, ...sort, limit: 17 })))
    }
    t.same(differences, [])
    t.same((await repository.list(listQuery({ include_deleted: true, limit: 1000 }))).items, rows.map((row) => taskOf(row)).reverse(), 'every task, mapped whole')
  })

  t.test('a search returns exactly the brute-force matches, in every order, filter and page', async (t) => {
    const { rows, repository } = await worked(t)
    for (const [q, why] of SEARCHES) {
      const differences: string[] = []
      for (const filters of filterCombinations()) {
        for (const sort of sorts()) differences.push(...await listDifferences(repository.list, rows, listQuery({ ...filters, ...sort, q, limit: 4 })))
      }
      t.same(differences, [], `q=${JSON.stringify(q)}: ${why}`)
    }
  })

  t.test('searches that must find nothing, or only what updates left', async (t) => {
    const { repository, rows } = await worked(t)
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
}
