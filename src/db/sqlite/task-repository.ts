import { and, asc, count, desc, eq, isNull, or, sql, type SQL } from 'drizzle-orm'
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import type { TaskRepository } from '../database.js'
import type { Task, TaskListQuery, TaskUpdate } from '../../schemas/task.js'
import { tasks, type TaskRow } from './schema.js'

const SORT_COLUMNS = {
  created_at: tasks.createdAt,
  priority: tasks.priority,
  title: tasks.title
} as const

export function createSqliteTaskRepository (db: BetterSQLite3Database): TaskRepository {
  const findRow = (executor: Pick<BetterSQLite3Database, 'select'>, id: number, includeDeleted = false) =>
    executor.select().from(tasks)
      .where(includeDeleted ? eq(tasks.id, id) : and(eq(tasks.id, id), isNull(tasks.deletedAt)))
      .get()

  return {
    async create (input) {
      const now = Date.now()
      const row = db.insert(tasks).values({ ...input, createdAt: now, updatedAt: now }).returning().get()
      return toTask(row)
    },

    async findById (id) {
      const row = findRow(db, id)
      return row === undefined ? undefined : toTask(row)
    },

    async list (query) {
      const where = listFilter(query)
      const direction = query.sort_order === 'asc' ? asc : desc
      // One read transaction, so the page and the total see the same rows.
      return db.transaction((tx) => {
        const rows = tx.select().from(tasks)
          .where(where)
          .orderBy(direction(SORT_COLUMNS[query.sort_by]), direction(tasks.id))
          .limit(query.limit)
          .offset(query.offset)
          .all()
        const [{ total } = { total: 0 }] = tx.select({ total: count() }).from(tasks).where(where).all()
        return { items: rows.map(toTask), total }
      })
    },

    async update (id, changes) {
      return db.transaction((tx) => {
        const current = findRow(tx, id)
        if (current === undefined) return undefined
        const changed = changedColumns(current, changes)
        if (Object.keys(changed).length === 0) return toTask(current)
        const row = tx.update(tasks)
          .set({ ...changed, updatedAt: nextUpdatedAt(current) })
          .where(eq(tasks.id, id))
          .returning()
          .get()
        return toTask(row)
      })
    },

    async softDelete (id) {
      return db.transaction((tx) => {
        const current = findRow(tx, id)
        if (current === undefined) return false
        const now = nextUpdatedAt(current)
        tx.update(tasks).set({ deletedAt: now, updatedAt: now }).where(eq(tasks.id, id)).run()
        return true
      })
    },

    async restore (id) {
      return db.transaction((tx) => {
        const current = findRow(tx, id, true)
        if (current === undefined) return undefined
        if (current.deletedAt === null) return toTask(current)
        const row = tx.update(tasks)
          .set({ deletedAt: null, updatedAt: nextUpdatedAt(current) })
          .where(eq(tasks.id, id))
          .returning()
          .get()
        return toTask(row)
      })
    }
  }
}

function listFilter (query: TaskListQuery): SQL | undefined {
  const conditions: Array<SQL | undefined> = []
  if (!query.include_deleted) conditions.push(isNull(tasks.deletedAt))
  if (query.status !== undefined) conditions.push(eq(tasks.status, query.status))
  if (query.priority !== undefined) conditions.push(eq(tasks.priority, query.priority))
  if (query.q !== undefined && query.q !== '') {
    const pattern = `%${query.q.replace(/[\\%_]/g, '\\$&')}%`
    conditions.push(or(
      sql`${tasks.title} LIKE ${pattern} ESCAPE '\\'`,
      sql`${tasks.description} LIKE ${pattern} ESCAPE '\\'`
    ))
  }
  return and(...conditions)
}

/** The columns whose value the update actually changes. */
function changedColumns (current: TaskRow, changes: TaskUpdate): Partial<TaskRow> {
  const changed: Partial<TaskRow> = {}
  for (const [field, value] of Object.entries(changes) as Array<[keyof TaskUpdate, TaskRow[keyof TaskUpdate]]>) {
    if (value !== undefined && current[field] !== value) {
      Object.assign(changed, { [field]: value })
    }
  }
  return changed
}

/** Now, but always later than the last change, so updated_at moves on every change. */
function nextUpdatedAt (current: TaskRow): number {
  return Math.max(Date.now(), current.updatedAt + 1)
}

function toTask (row: TaskRow): Task {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    status: row.status,
    priority: row.priority,
    assignee: row.assignee,
    created_at: new Date(row.createdAt).toISOString(),
    updated_at: new Date(row.updatedAt).toISOString(),
    deleted_at: row.deletedAt === null ? null : new Date(row.deletedAt).toISOString()
  }
}
