import { and, asc, desc, eq, gte, isNull, or, sql, type SQL } from 'drizzle-orm'
import type { ListPosition, StoredResponse, TaskPage, TaskRepository, WriteOptions, WriteRefusal } from '../database.js'
import { withDefaults, type Task, type TaskListQuery, type TaskUpdate } from '../../schemas/task.js'
import { isoTimestamp, timestampOf } from '../iso-timestamp.js'
import type { GroupCommit } from './group-commit.js'
import { taskCounts, tasks, type TaskRow } from './schema.js'
import type { SqliteConnection } from './sqlite-database.js'
import { searchMatchExpression, TRIGRAM_LENGTH } from './search-match.js'

const SORT_COLUMNS = {
  created_at: tasks.createdAt,
  priority: tasks.priority,
  title: tasks.title
} as const

const placeholder = (name: string) => sql.placeholder(name)
/** A placeholder where drizzle's `set()` wants an SQL value. */
const value = (name: string) => sql`${sql.placeholder(name)}`

/**
 * Tasks in SQLite. Every statement is prepared once, with placeholders; the
 * list has one statement per shape (filters present, sort, search, paging),
 * so that SQLite plans each shape on the index made for it. Rows are read as
 * arrays (drizzle's `values()`) and turned into tasks in one step. Writes go
 * through group commit; a write checks its precondition and stores its
 * idempotent response (`saveResponse`) in its own transaction.
 */
export function createSqliteTaskRepository (
  db: SqliteConnection,
  write: GroupCommit,
  saveResponse: (response: StoredResponse) => void
): TaskRepository {
  const findLive = db.select().from(tasks)
    .where(and(eq(tasks.id, placeholder('id')), isNull(tasks.deletedAt)))
    .prepare()
  const findAny = db.select().from(tasks).where(eq(tasks.id, placeholder('id'))).prepare()
  const insert = db.insert(tasks).values({
    title: placeholder('title'),
    description: placeholder('description'),
    status: placeholder('status'),
    priority: placeholder('priority'),
    assignee: placeholder('assignee'),
    createdAt: placeholder('now'),
    updatedAt: placeholder('now'),
    version: 1
  }).returning().prepare()
  const updateFields = db.update(tasks).set({
    title: value('title'),
    description: value('description'),
    status: value('status'),
    priority: value('priority'),
    assignee: value('assignee'),
    updatedAt: value('updatedAt'),
    version: value('version')
  }).where(eq(tasks.id, placeholder('id'))).returning().prepare()
  const setDeletedAt = db.update(tasks)
    .set({ deletedAt: value('deletedAt'), updatedAt: value('updatedAt'), version: value('version') })
    .where(eq(tasks.id, placeholder('id')))
    .returning()
    .prepare()
  const countTasks = db.select({ total: sql<number>`coalesce(sum(${taskCounts.total}), 0)` }).from(taskCounts)
    .where(and(
      sql`(${placeholder('status')} IS NULL OR ${taskCounts.status} = ${placeholder('status')})`,
      sql`(${placeholder('priority')} IS NULL OR ${taskCounts.priority} = ${placeholder('priority')})`,
      sql`(${placeholder('includeDeleted')} OR NOT ${taskCounts.deleted})`
    ))
    .prepare()

  const tasksByIds = db.select().from(tasks)
    .where(sql`${tasks.id} IN (SELECT value FROM json_each(${placeholder('ids')}))`)
    .prepare()
  // The tasks the trigram index finds for a search term.
  const searchHits = db.select({ id: sql<number>`rowid`.as('hit_id') })
    .from(sql`tasks_search`)
    .where(sql`tasks_search MATCH ${placeholder('match')}`)
    .as('hits')

  /** The reader of one list shape: prepared once, run inside a read transaction. */
  const prepareReader = (shape: ListShape): (values: ListValues) => TaskPage => {
    const where = listFilter(shape)

    if (shape.search === 'indexed') {
      // Cursor paging starts just after the last task of the previous page, in sort order.
      const pageWhere = shape.after ? and(where, afterPosition(shape, 'after')) : where
      // Start from the tasks the trigram index finds and read each once
      // (CROSS JOIN fixes that order, so SQLite never walks a whole sort index
      // looking for them); the page's ids come with the count of all matches
      // (a window over the sorted ids), and only the page's rows are read
      // whole. The cost follows the number of matches, never the size of the
      // table, and the matches never leave SQLite.
      const matching = db.select({ id: tasks.id, total: sql<number>`count(*) OVER ()` })
        .from(searchHits).crossJoin(tasks)
        .where(and(eq(tasks.id, searchHits.id), pageWhere))
        .orderBy(...sortOrder(shape))
        .limit(placeholder('limit'))
        .offset(placeholder('offset'))
        .prepare()
      const countMatching = db.select({ total: sql<number>`count(*)` })
        .from(searchHits).crossJoin(tasks)
        .where(and(eq(tasks.id, searchHits.id), where))
        .prepare()
      return (values) => {
        const page = matching.values(values) as Array<[number, number]>
        // After a cursor the window counts only the rest; an empty page has no row to carry the total.
        const windowTotal = shape.after ? undefined : page[0]?.[1]
        const total = windowTotal ?? (countMatching.values(values) as Array<[number]>)[0]?.[0] as number
        const pageIds = page.slice(0, values.limit - 1).map(([id]) => id)
        const rows = new Map(tasksByIds.values({ ids: JSON.stringify(pageIds) }).map((row) => [row[0], rowFrom(row)]))
        return { items: pageIds.map((id) => toTask(rows.get(id) as TaskRow)), total, hasMore: page.length === values.limit }
      }
    }

    const pageRows = shape.after ? prepareRowsAfter(shape, where) : prepareRows(where, shape)
    // Without a search or a time filter the counters give the total; a short
    // search term, which the trigram index cannot help with, counts by reading
    // every row, and updated_since the rows changed since.
    const count = shape.search === 'none' && !shape.updatedSince
      ? countTasks
      : db.select({ total: sql<number>`count(*)` }).from(tasks).where(where).prepare()
    return (values) => {
      const [[total] = [0]] = count.values(values) as Array<[number]>
      // When nothing matches (a short search term no task holds), the page
      // would read every row a second time to find nothing: it is skipped.
      const rows = total === 0 ? [] : pageRows(values)
      const items = rows.slice(0, values.limit - 1).map((row) => toTask(rowFrom(row)))
      return { items, total, hasMore: rows.length === values.limit }
    }
  }
  /** A page in the shape's order from an offset. */
  const prepareRows = (where: SQL | undefined, shape: ListShape) => {
    const rows = db.select().from(tasks).where(where).orderBy(...sortOrder(shape))
      .limit(placeholder('limit'))
      .offset(placeholder('offset'))
      .prepare()
    return (values: ListValues) => rows.values(values)
  }
  /**
   * A page in the shape's order after a position, read as two index ranges:
   * the rest of the tasks that share the position's sort value, then the
   * tasks past it. (A row-value comparison would seek on the sort value alone
   * and then walk every task sharing it, hundreds of thousands for a priority.)
   */
  const prepareRowsAfter = (shape: ListShape, where: SQL | undefined) => {
    const sameValue = prepareRows(and(where, afterPosition(shape, 'same value')), shape)
    const pastValue = prepareRows(and(where, afterPosition(shape, 'past value')), shape)
    return (values: ListValues) => {
      const first = sameValue(values)
      return first.length === values.limit ? first : [...first, ...pastValue({ ...values, limit: values.limit - first.length })]
    }
  }
  const readers = new Map<string, ReturnType<typeof prepareReader>>()
  const readerFor = (shape: ListShape) => {
    const key = JSON.stringify(shape)
    let reader = readers.get(key)
    if (reader === undefined) {
      reader = prepareReader(shape)
      readers.set(key, reader)
    }
    return reader
  }
  // One read transaction, so the page and the total see the same rows.
  const readPage = db.$client.transaction((reader: ReturnType<typeof prepareReader>, values: ListValues) => reader(values))

  /** The task a write answers with, its idempotent response stored first when there is one. */
  const answer = (task: Task, respond: WriteOptions['respond']): Task => {
    if (respond !== undefined) saveResponse(respond(task))
    return task
  }

  /** Runs a change to one task, if it exists and its precondition holds, and stores its response with it. */
  const change = (
    find: typeof findLive,
    id: number,
    { precondition, respond }: WriteOptions,
    apply: (current: TaskRow) => TaskRow
  ): Promise<Task | WriteRefusal> => write(() => {
    const current = firstRow(find.values({ id }))
    if (current === undefined) return 'not-found'
    if (precondition !== undefined && !precondition(current)) return 'precondition-failed'
    return answer(toTask(apply(current)), respond)
  })

  return {
    async create (input, { respond } = {}) {
      return write(() => answer(toTask(firstRow(insert.values({ ...withDefaults(input), now: Date.now() })) as TaskRow), respond))
    },

    async findById (id) {
      const row = firstRow(findLive.values({ id }))
      return row === undefined ? undefined : toTask(row)
    },

    async list (query, after) {
      const shape = listShape(query, after)
      return readPage(readerFor(shape), {
        status: query.status ?? null,
        priority: query.priority ?? null,
        includeDeleted: query.include_deleted ? 1 : 0,
        pattern: shape.search === 'none' ? null : likePattern(query.q as string),
        match: shape.search === 'indexed' ? searchMatchExpression(query.q as string) : null,
        updatedSince: query.updated_since === undefined ? null : timestampOf(query.updated_since),
        afterValue: after?.value ?? null,
        afterId: after?.id ?? null,
        // One more than the page, to tell whether another page follows.
        limit: query.limit + 1,
        offset: after === undefined ? query.offset : 0
      })
    },

    async update (id, changes, options = {}) {
      return change(findLive, id, options, (current) => {
        const next = { ...current }
        for (const [field, value] of Object.entries(changes) as Array<[keyof TaskUpdate, never]>) {
          if (value !== undefined) next[field] = value
        }
        if (!isChanged(current, next)) return current
        return firstRow(updateFields.values({ ...next, updatedAt: nextUpdatedAt(current), version: current.version + 1 })) as TaskRow
      })
    },

    async softDelete (id, options = {}) {
      return change(findLive, id, options, (current) => {
        const now = nextUpdatedAt(current)
        return firstRow(setDeletedAt.values({ id, deletedAt: now, updatedAt: now, version: current.version + 1 })) as TaskRow
      })
    },

    async restore (id, options = {}) {
      return change(findAny, id, options, (current) => {
        if (current.deletedAt === null) return current
        return firstRow(setDeletedAt.values({ id, deletedAt: null, updatedAt: nextUpdatedAt(current), version: current.version + 1 })) as TaskRow
      })
    }
  }
}

/** What decides the SQL of a list: which filters are present, the sort, the kind of search. */
interface ListShape {
  status: boolean
  priority: boolean
  includeDeleted: boolean
  sortBy: TaskListQuery['sort_by']
  sortOrder: TaskListQuery['sort_order']
  /** Terms of 3 or more characters narrow the rows through the trigram index first. */
  search: 'none' | 'indexed' | 'scan'
  updatedSince: boolean
  /** Cursor paging: the page starts after a position in sort order. */
  after: boolean
}

function listShape (query: TaskListQuery, after: ListPosition | undefined): ListShape {
  const q = query.q ?? ''
  return {
    status: query.status !== undefined,
    priority: query.priority !== undefined,
    includeDeleted: query.include_deleted,
    updatedSince: query.updated_since !== undefined,
    after: after !== undefined,
    sortBy: query.sort_by,
    sortOrder: query.sort_order,
    search: q === '' ? 'none' : [...q].length >= TRIGRAM_LENGTH ? 'indexed' : 'scan'
  }
}

function listFilter (shape: ListShape): SQL | undefined {
  const conditions: Array<SQL | undefined> = []
  if (!shape.includeDeleted) conditions.push(isNull(tasks.deletedAt))
  if (shape.status) conditions.push(eq(tasks.status, placeholder('status')))
  if (shape.priority) conditions.push(eq(tasks.priority, placeholder('priority')))
  if (shape.updatedSince) conditions.push(gte(tasks.updatedAt, placeholder('updatedSince')))
  if (shape.search !== 'none') {
    // The exact test: a case-insensitive substring of the title or description.
    conditions.push(or(
      sql`${tasks.title} LIKE ${placeholder('pattern')} ESCAPE '\\'`,
      sql`${tasks.description} LIKE ${placeholder('pattern')} ESCAPE '\\'`
    ))
  }
  return and(...conditions)
}

function sortOrder (shape: ListShape) {
  const direction = shape.sortOrder === 'asc' ? asc : desc
  return [direction(SORT_COLUMNS[shape.sortBy]), direction(tasks.id)] as const
}

/**
 * The tasks after a position in the shape's sort order: all of them, those
 * that share its sort value (and come after its id), or those past its value.
 */
function afterPosition (shape: ListShape, which: 'after' | 'same value' | 'past value'): SQL {
  const operator = sql.raw(shape.sortOrder === 'asc' ? '>' : '<')
  const column = SORT_COLUMNS[shape.sortBy]
  if (which === 'same value') return sql`${column} = ${placeholder('afterValue')} AND ${tasks.id} ${operator} ${placeholder('afterId')}`
  if (which === 'past value') return sql`${column} ${operator} ${placeholder('afterValue')}`
  return sql`(${column}, ${tasks.id}) ${operator} (${placeholder('afterValue')}, ${placeholder('afterId')})`
}

/** A LIKE pattern matching `q` anywhere, with `%`, `_` and `\` matching themselves. */
function likePattern (q: string): string {
  return `%${q.replace(/[\\%_]/g, '\\$&')}%`
}

function isChanged (current: TaskRow, next: TaskRow): boolean {
  return current.title !== next.title ||
    current.description !== next.description ||
    current.status !== next.status ||
    current.priority !== next.priority ||
    current.assignee !== next.assignee
}

/** Now, but always later than the last change, so updated_at moves on every change. */
function nextUpdatedAt (current: TaskRow): number {
  return Math.max(Date.now(), current.updatedAt + 1)
}

/** The placeholders' values of a list's statements. */
type ListValues = {
  status: string | null
  priority: number | null
  includeDeleted: 0 | 1
  pattern: string | null
  match: string | null
  updatedSince: number | null
  afterValue: string | number | null
  afterId: number | null
  limit: number
  offset: number
}

/**
 * A row read as an array in the table's column order (the order of `select()`
 * without fields, checked by test/db/sqlite/task-repository.test.ts).
 */
function rowFrom ([id, title, description, status, priority, assignee, createdAt, updatedAt, deletedAt, version]: unknown[]): TaskRow {
  return { id, title, description, status, priority, assignee, createdAt, updatedAt, deletedAt, version } as TaskRow
}

function firstRow (rows: unknown[][]): TaskRow | undefined {
  const [values] = rows
  return values === undefined ? undefined : rowFrom(values)
}

function toTask (row: TaskRow): Task {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    status: row.status,
    priority: row.priority,
    assignee: row.assignee,
    created_at: isoTimestamp(row.createdAt),
    updated_at: isoTimestamp(row.updatedAt),
    deleted_at: row.deletedAt === null ? null : isoTimestamp(row.deletedAt),
    version: row.version
  }
}
