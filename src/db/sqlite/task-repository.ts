import { and, asc, desc, eq, getTableColumns, isNull, or, sql, type SQL } from 'drizzle-orm'
import type { TaskPage, TaskRepository } from '../database.js'
import { DEFAULT_PRIORITY, DEFAULT_STATUS, type Task, type TaskListQuery, type TaskUpdate } from '../../schemas/task.js'
import { isoTimestamp } from '../iso-timestamp.js'
import { createGroupCommit } from './group-commit.js'
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
 * list has one statement per shape (filters present, sort, search), so that
 * SQLite plans each shape on the index made for it. Rows are read as arrays
 * (drizzle's `values()`) and turned into tasks in one step. Writes go
 * through group commit.
 */
export function createSqliteTaskRepository (db: SqliteConnection): TaskRepository {
  const write = createGroupCommit(db.$client)

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
    updatedAt: placeholder('now')
  }).returning().prepare()
  const updateFields = db.update(tasks).set({
    title: value('title'),
    description: value('description'),
    status: value('status'),
    priority: value('priority'),
    assignee: value('assignee'),
    updatedAt: value('updatedAt')
  }).where(eq(tasks.id, placeholder('id'))).returning().prepare()
  const setDeletedAt = db.update(tasks)
    .set({ deletedAt: value('deletedAt'), updatedAt: value('updatedAt') })
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
    const direction = shape.sortOrder === 'asc' ? asc : desc
    const orderBy = [direction(SORT_COLUMNS[shape.sortBy]), direction(tasks.id)] as const

    if (shape.search === 'indexed') {
      // Start from the tasks the trigram index finds and read each once
      // (CROSS JOIN fixes that order, so SQLite never walks a whole sort index
      // looking for them); the page's ids come with the count of all matches
      // (a window over the sorted ids), and only the page's rows are read
      // whole. The cost follows the number of matches, never the size of the
      // table, and the matches never leave SQLite.
      const matching = db.select({ id: tasks.id, total: sql<number>`count(*) OVER ()` })
        .from(searchHits).crossJoin(tasks)
        .where(and(eq(tasks.id, searchHits.id), where))
        .orderBy(...orderBy)
        .limit(placeholder('limit'))
        .offset(placeholder('offset'))
        .prepare()
      const countMatching = db.select({ total: sql<number>`count(*)` })
        .from(searchHits).crossJoin(tasks)
        .where(and(eq(tasks.id, searchHits.id), where))
        .prepare()
      return (values) => {
        const page = matching.values(values) as Array<[number, number]>
        // An empty page (past the last match, or no match) has no row to carry the total.
        const total = page[0]?.[1] ?? (countMatching.values(values) as Array<[number]>)[0]?.[0] as number
        const pageIds = page.map(([id]) => id)
        const rows = new Map(tasksByIds.values({ ids: JSON.stringify(pageIds) }).map((row) => [row[0], rowFrom(row)]))
        return { items: pageIds.map((id) => toTask(rows.get(id) as TaskRow)), total }
      }
    }

    const page = db.select().from(tasks).where(where).orderBy(...orderBy)
      .limit(placeholder('limit'))
      .offset(placeholder('offset'))
      .prepare()
    // Without a search the counters give the total; a short search term,
    // which the trigram index cannot help with, counts by reading every row.
    const count = shape.search === 'none'
      ? countTasks
      : db.select({ total: sql<number>`count(*)` }).from(tasks).where(where).prepare()
    return (values) => {
      const items = page.values(values).map((row) => toTask(rowFrom(row)))
      const [[total] = [0]] = count.values(values) as Array<[number]>
      return { items, total }
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

  return {
    async create (input) {
      return write(() => toTask(firstRow(insert.values({
        title: input.title,
        description: input.description ?? null,
        status: input.status ?? DEFAULT_STATUS,
        priority: input.priority ?? DEFAULT_PRIORITY,
        assignee: input.assignee ?? null,
        now: Date.now()
      })) as TaskRow))
    },

    async findById (id) {
      const row = firstRow(findLive.values({ id }))
      return row === undefined ? undefined : toTask(row)
    },

    async list (query) {
      const shape = listShape(query)
      return readPage(readerFor(shape), {
        status: query.status ?? null,
        priority: query.priority ?? null,
        includeDeleted: query.include_deleted ? 1 : 0,
        pattern: shape.search === 'none' ? null : likePattern(query.q as string),
        match: shape.search === 'indexed' ? searchMatchExpression(query.q as string) : null,
        limit: query.limit,
        offset: query.offset
      })
    },

    async update (id, changes) {
      return write(() => {
        const current = firstRow(findLive.values({ id }))
        if (current === undefined) return undefined
        const next = { ...current }
        for (const [field, value] of Object.entries(changes) as Array<[keyof TaskUpdate, never]>) {
          if (value !== undefined) next[field] = value
        }
        if (!isChanged(current, next)) return toTask(current)
        return toTask(firstRow(updateFields.values({ ...next, updatedAt: nextUpdatedAt(current) })) as TaskRow)
      })
    },

    async softDelete (id) {
      return write(() => {
        const current = firstRow(findLive.values({ id }))
        if (current === undefined) return false
        const now = nextUpdatedAt(current)
        setDeletedAt.values({ id, deletedAt: now, updatedAt: now })
        return true
      })
    },

    async restore (id) {
      return write(() => {
        const current = firstRow(findAny.values({ id }))
        if (current === undefined) return undefined
        if (current.deletedAt === null) return toTask(current)
        return toTask(firstRow(setDeletedAt.values({ id, deletedAt: null, updatedAt: nextUpdatedAt(current) })) as TaskRow)
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
}

function listShape (query: TaskListQuery): ListShape {
  const q = query.q ?? ''
  return {
    status: query.status !== undefined,
    priority: query.priority !== undefined,
    includeDeleted: query.include_deleted,
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
  if (shape.search !== 'none') {
    // The exact test: a case-insensitive substring of the title or description.
    conditions.push(or(
      sql`${tasks.title} LIKE ${placeholder('pattern')} ESCAPE '\\'`,
      sql`${tasks.description} LIKE ${placeholder('pattern')} ESCAPE '\\'`
    ))
  }
  return and(...conditions)
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
  limit: number
  offset: number
}

/**
 * A row read as an array in the table's column order (the order of `select()`
 * without fields, checked by test/db/sqlite/task-repository.test.ts).
 */
function rowFrom ([id, title, description, status, priority, assignee, createdAt, updatedAt, deletedAt]: unknown[]): TaskRow {
  return { id, title, description, status, priority, assignee, createdAt, updatedAt, deletedAt } as TaskRow
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
    deleted_at: row.deletedAt === null ? null : isoTimestamp(row.deletedAt)
  }
}
