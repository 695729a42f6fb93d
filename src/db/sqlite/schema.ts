import { sql } from 'drizzle-orm'
import { check, index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { DEFAULT_PRIORITY, DEFAULT_STATUS, TASK_STATUSES, TITLE_MAX_LENGTH } from '../../schemas/task.js'

// Timestamps are milliseconds since the Unix epoch: compact, exact to the
// millisecond the API shows, and ordered as numbers.
export const tasks = sqliteTable('tasks', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  title: text('title').notNull(),
  description: text('description'),
  status: text('status', { enum: TASK_STATUSES }).notNull().default(DEFAULT_STATUS),
  priority: integer('priority').notNull().default(DEFAULT_PRIORITY),
  assignee: text('assignee'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
  deletedAt: integer('deleted_at')
  // Constraints and indexes are read by drizzle-kit when it generates the
  // migrations, never at run time; test/db/sqlite/schema.test.ts checks that
  // the migrations match them.
  /* c8 ignore start */
}, (table) => [
  check('tasks_title_length', sql`length(${table.title}) BETWEEN 1 AND ${sql.raw(String(TITLE_MAX_LENGTH))}`),
  check('tasks_status_known', sql`${table.status} IN (${sql.raw(TASK_STATUSES.map((status) => `'${status}'`).join(', '))})`),
  check('tasks_priority_range', sql`${table.priority} BETWEEN 1 AND 5`),
  index('tasks_created_at_id_idx').on(table.createdAt, table.id),
  index('tasks_priority_id_idx').on(table.priority, table.id),
  index('tasks_title_id_idx').on(table.title, table.id),
  index('tasks_status_idx').on(table.status)
])
/* c8 ignore stop */

export type TaskRow = typeof tasks.$inferSelect
