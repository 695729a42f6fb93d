import type { Test } from 'tap'
import type { Database } from '../../../src/db/database.js'
import { TASK_STATUSES, type Location, type Task, type TaskCreate, type TaskListQuery, type TaskStatus, type TaskUpdate } from '../../../src/schemas/task.js'
import { seededRandom } from '../../../src/db/seeded-random.js'
import { asLocal, type LocalTasks } from '../local-tasks.js'
import { contains, dueFilterCombinations, expectedIds, filterCombinations, listDifferences, listQuery, sorts, taskOf, type StoredRow } from '../task-brute-force.js'

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

// Due times years from now, so that which tasks are overdue never depends on
// the day the tests run: the earliest and the latest the API can show, one
// before 1970, and some written with an offset (shown in UTC). There are
// fewer than tasks, so many tasks share one: ties, broken by id.
const DUE_TIMES = [
  null, null, null,
  '0000-01-01T00:00:00Z', '1969-07-20T20:17:40Z', '2001-02-03T04:05:06.007+05:30', '2012-12-21T11:11:00Z',
  '2077-01-01T00:00:00.000Z', '2100-02-28T23:59:59.999-08:00', '9999-12-31T23:59:59.999Z'
]
// Bounds of the due-time filters, ascending: the earliest and latest due times
// above, another of them written in UTC where the task's was written with an
// offset, and one between the past and the future that no task is due at.
const DUE_BOUNDS = ['0000-01-01T00:00:00.000Z', '2001-02-02T22:35:06.007Z', '2050-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z']
// Places: none, the ends of both ranges, one without a name (shown as null), a
// name outside ASCII, and coordinates no decimal fraction holds exactly.
const LOCATIONS: Array<Location | null> = [
  null, null, null,
  { name: 'Berlin office', latitude: 52.52, longitude: 13.405 },
  { latitude: -90, longitude: 180 },
  { name: null, latitude: 90, longitude: -180 },
  { name: 'Café ☕ at the 🎉 corner', latitude: 0.1 + 0.2, longitude: -0.000001 }
]

interface ModelTask {
  title: string
  description: string | null
  status: TaskStatus
  priority: number
  assignee: string | null
  /** Milliseconds since the epoch. */
  dueAt: number | null
  /** As a task shows it: with its name, null when none was given. */
  location: Required<Location> | null
  deleted: boolean
}

/** The model's due time and location for those a write gave. */
const dueAtOf = (dueAt: string | null) => dueAt === null ? null : Date.parse(dueAt)
const locationOf = (location: Location | null): ModelTask['location'] => location === null ? null : { name: location.name ?? null, latitude: location.latitude, longitude: location.longitude }

/** The due time and location a task shows, and those it must show for the model's. */
const placeOf = (task: Task) => ({ due_at: task.due_at, location: task.location })
const shownPlace = ({ dueAt, location }: Pick<ModelTask, 'dueAt' | 'location'>) => ({ due_at: dueAt === null ? null : new Date(dueAt).toISOString(), location })

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
  // Whole, where t.match would let a location lack a field.
  if (typeof task === 'object') t.strictSame(placeOf(task), shownPlace(model), `${label}: due time and location`)
}

/**
 * Runs the workload through `repository`, checking each result against a
 * model of what must be stored, and returns the model.
 */
async function runWorkload (t: Test, repository: LocalTasks): Promise<Map<number, ModelTask>> {
  const random = seededRandom(0x5eed)
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T
  // Due times and places from a sequence of their own, so that the other
  // fields are what they were before tasks had them.
  const placeRandom = seededRandom(0xd0e)
  const pickPlaced = <T>(items: readonly T[]): T => items[Math.floor(placeRandom() * items.length)] as T
  const model = new Map<number, ModelTask>()

  const newTask = (): TaskCreate => ({
    title: pick(TITLES),
    description: pick(DESCRIPTIONS),
    status: pick(TASK_STATUSES),
    priority: 1 + Math.floor(random() * 5),
    assignee: random() < 0.5 ? pick(['alice', 'bob', 'Zoë']) : null,
    due_at: pickPlaced(DUE_TIMES),
    location: pickPlaced(LOCATIONS)
  })
  const remember = (task: Task) => {
    model.set(task.id, {
      title: task.title,
      description: task.description,
      status: task.status,
      priority: task.priority,
      assignee: task.assignee,
      dueAt: dueAtOf(task.due_at),
      location: locationOf(task.location),
      deleted: false
    })
  }

  // One at a time, each its own group.
  for (let index = 0; index < 25; index++) {
    const input = newTask()
    const task = await repository.create(input)
    const { due_at: dueAt, location, ...fields } = input
    t.match(task, { ...fields, deleted_at: null }, 'a created task has what was given')
    t.strictSame(placeOf(task), shownPlace({ dueAt: dueAtOf(dueAt ?? null), location: locationOf(location ?? null) }), 'and its due time and location')
    remember(task)
  }

  // Many at once, with three that break the table's constraints among them.
  const inputs: TaskCreate[] = Array.from({ length: 90 }, newTask)
  inputs.splice(30, 0, { title: '' })
  inputs.splice(60, 0, { title: 'x'.repeat(201) })
  inputs.splice(90, 0, { title: 'Off the map', location: { name: 'North of the pole', latitude: 90.5, longitude: 0 } })
  const refused: Record<number, string> = { 30: 'tasks_title_length', 60: 'tasks_title_length', 90: 'tasks_location_latitude_range' }
  const created = await Promise.allSettled(inputs.map((input) => repository.create(input)))
  created.forEach((result, index) => {
    const input = inputs[index] as TaskCreate
    const constraint = refused[index]
    if (constraint !== undefined) {
      t.ok(result.status === 'rejected' && violates(result.reason, constraint), `the bad create fails alone, on ${constraint}`)
      return
    }
    t.equal(result.status, 'fulfilled')
    if (result.status === 'fulfilled') {
      t.match(result.value, { title: input.title, status: input.status, priority: input.priority })
      t.strictSame(placeOf(result.value), shownPlace({ dueAt: dueAtOf(input.due_at ?? null), location: locationOf(input.location ?? null) }), 'with its due time and location')
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
        // Set, moved or cleared, sometimes to what the task already has.
        if (placeRandom() < 0.3) changes.due_at = pickPlaced(DUE_TIMES)
        if (placeRandom() < 0.2) changes.location = pickPlaced(LOCATIONS)
        const before = model.get(id)
        let after: ModelTask | undefined
        if (before !== undefined && !before.deleted) {
          const { due_at: dueAt, location, ...fields } = changes
          after = changes.title === ''
            ? before
            : {
                ...before,
                ...Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)),
                ...(dueAt === undefined ? {} : { dueAt: dueAtOf(dueAt) }),
                ...(location === undefined ? {} : { location: locationOf(location) })
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
    const changes: Pick<TaskUpdate, 'title' | 'description'> = {}
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

  t.test('a due time and a location are set, kept by other changes, replaced whole and cleared', async (t) => {
    const tasks = asLocal((await open(t)).tasks)
    const created = await tasks.create({ title: 'Plain' })
    t.strictSame(placeOf(created), { due_at: null, location: null }, 'none unless given')
    const dock = { name: 'Dock 4', latitude: 53.5461, longitude: 9.9661 }
    const placed = await tasks.update(created.id, { due_at: '2031-03-04T05:06:07+02:00', location: dock }) as Task
    t.strictSame(placeOf(placed), { due_at: '2031-03-04T03:06:07.000Z', location: dock }, 'the due time shown in UTC with milliseconds')
    t.equal(placed.version, 2)
    t.same(await tasks.update(created.id, { due_at: '2031-03-04T03:06:07.000Z', location: { ...dock } }), placed, 'the same instant written another way, and the same place, are no change')
    const renamed = await tasks.update(created.id, { title: 'Renamed' }) as Task
    t.strictSame(placeOf(renamed), placeOf(placed), 'other changes keep them')
    const moved = await tasks.update(created.id, { location: { latitude: -33.8568, longitude: 151.2153 } }) as Task
    t.strictSame(placeOf(moved), { due_at: placed.due_at, location: { name: null, latitude: -33.8568, longitude: 151.2153 } }, 'a location is replaced whole: one without a name drops the old name')
    const cleared = await tasks.update(created.id, { due_at: null, location: null }) as Task
    t.strictSame(placeOf(cleared), { due_at: null, location: null }, 'null clears both')
    t.equal(cleared.version, 5)
    t.same(await tasks.findById(created.id), cleared)

    const edges = await tasks.create({ title: 'Edges', due_at: '0000-01-01T00:00:00Z', location: { name: null, latitude: 0, longitude: 0 } })
    t.strictSame(placeOf(edges), { due_at: '0000-01-01T00:00:00.000Z', location: { name: null, latitude: 0, longitude: 0 } }, 'the earliest due time, and a place at 0°, 0° (a place, not none)')
    t.same(await tasks.findById(edges.id), edges)
    const latest = await tasks.update(edges.id, { due_at: '9999-12-31T23:59:59.999Z' }) as Task
    t.equal(latest.due_at, '9999-12-31T23:59:59.999Z', 'the latest')
  })

  t.test('after a mixed workload the rows are what the operations said', async (t) => {
    const { model, rows, repository } = await worked(t)
    t.same(rows.map((row) => row.id), [...model.keys()].sort((a, b) => a - b), 'one row per created task')
    for (const row of rows) {
      const task = model.get(row.id) as ModelTask
      // No location is all three columns null.
      const { location_name: name, location_latitude: latitude, location_longitude: longitude } = row
      const location = name === null && latitude === null && longitude === null ? null : { name, latitude, longitude }
      t.same({
        title: row.title,
        description: row.description,
        status: row.status,
        priority: row.priority,
        assignee: row.assignee,
        dueAt: row.due_at,
        location,
        deleted: row.deleted_at !== null
      }, task, `task ${row.id}`)
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

  t.test('due-time filters and the overdue filter give the brute-force tasks in every sort, filter, search and page', async (t) => {
    const { rows, repository } = await worked(t)
    // The workload holds what the filters must tell apart.
    const now = Date.now()
    const live = rows.filter((row) => row.deleted_at === null)
    const open = (row: StoredRow) => row.status === 'pending' || row.status === 'in_progress'
    t.ok(live.some((row) => row.due_at === null), 'tasks without a due time')
    t.ok(live.some((row) => row.due_at !== null && row.due_at < now && open(row)), 'overdue tasks')
    t.ok(live.some((row) => row.due_at !== null && row.due_at < now && !open(row)), 'past due but done or cancelled')
    t.ok(live.some((row) => row.due_at !== null && row.due_at > now && open(row)), 'open, due later')
    t.equal(DUE_BOUNDS.filter((bound) => live.some((row) => row.due_at === Date.parse(bound))).length, DUE_BOUNDS.length - 1, 'tasks due at every bound but the one no task is due at, to test both ends of a range')
    t.ok(live.some((row, index) => live.some((other, otherIndex) => otherIndex !== index && other.due_at !== null && other.due_at === row.due_at)), 'tasks due at the same time, to test ties')

    const differences: string[] = []
    const filterSets: Array<Partial<TaskListQuery>> = [{}, { status: 'pending' }, { priority: 3 }, { include_deleted: true }, { status: 'in_progress', priority: 2, include_deleted: true }]
    for (const due of dueFilterCombinations(DUE_BOUNDS)) {
      for (const sort of sorts()) {
        for (const filters of filterSets) differences.push(...await listDifferences(repository.list, rows, listQuery({ ...filters, ...due, ...sort, limit: 9 })))
        // A search of 3+ characters (the trigram index's candidates) and a short one.
        for (const q of ['report', 'e']) differences.push(...await listDifferences(repository.list, rows, listQuery({ ...due, ...sort, q, include_deleted: true, limit: 9 })))
      }
    }
    t.same(differences, [])
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
