import { sql } from 'drizzle-orm'
import { check, index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core'
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
  deletedAt: integer('deleted_at'),
  // 1 on create, one more on every change (delete and restore included): the
  // ETag is made from it, and If-Match compares it.
  version: integer('version').notNull().default(1)
  // Constraints and indexes are read by drizzle-kit when it generates the
  // migrations, never at run time; test/db/sqlite/schema.test.ts checks that
  // the migrations match them.
  /* c8 ignore start */
}, (table) => [
  check('tasks_title_length', sql`length(${table.title}) BETWEEN 1 AND ${sql.raw(String(TITLE_MAX_LENGTH))}`),
  check('tasks_status_known', sql`${table.status} IN (${sql.raw(TASK_STATUSES.map((status) => `'${status}'`).join(', '))})`),
  check('tasks_priority_range', sql`${table.priority} BETWEEN 1 AND 5`),
  // One index per list shape: the equality filters (status, priority) first,
  // then the sort column and id, so a page is read in order and never sorted.
  // deleted_at comes last so the default filter is checked in the index too.
  index('tasks_created_at_idx').on(table.createdAt, table.id, table.deletedAt),
  index('tasks_status_created_at_idx').on(table.status, table.createdAt, table.id, table.deletedAt),
  index('tasks_priority_created_at_idx').on(table.priority, table.createdAt, table.id, table.deletedAt),
  index('tasks_status_priority_created_at_idx').on(table.status, table.priority, table.createdAt, table.id, table.deletedAt),
  index('tasks_title_idx').on(table.title, table.id, table.deletedAt),
  index('tasks_status_title_idx').on(table.status, table.title, table.id, table.deletedAt),
  index('tasks_priority_title_idx').on(table.priority, table.title, table.id, table.deletedAt),
  index('tasks_status_priority_title_idx').on(table.status, table.priority, table.title, table.id, table.deletedAt),
  // Sorting by priority: with or without a priority filter, and with a status.
  index('tasks_priority_idx').on(table.priority, table.id, table.deletedAt),
  index('tasks_status_priority_idx').on(table.status, table.priority, table.id, table.deletedAt),
  // updated_since: incremental sync reads the recently changed tasks only.
  index('tasks_updated_at_idx').on(table.updatedAt, table.id, table.deletedAt)
])
/* c8 ignore stop */

export type TaskRow = typeof tasks.$inferSelect

// How many tasks there are of each status, priority and deleted state, kept
// exact by triggers (migrations/0002), so a list's total never counts rows.
export const taskCounts = sqliteTable('task_counts', {
  status: text('status', { enum: TASK_STATUSES }).notNull(),
  priority: integer('priority').notNull(),
  deleted: integer('deleted', { mode: 'boolean' }).notNull(),
  total: integer('total').notNull()
  /* c8 ignore next */
}, (table) => [primaryKey({ columns: [table.status, table.priority, table.deleted] })])

// The first response to each Idempotency-Key, written in the same transaction
// as the change it reports, and replayed for repeats until it expires.
export const idempotencyKeys = sqliteTable('idempotency_keys', {
  key: text('key').primaryKey(),
  // Method, path and body of the first request: a repeat must match it.
  fingerprint: text('fingerprint').notNull(),
  status: integer('status').notNull(),
  location: text('location'),
  etag: text('etag'),
  body: text('body').notNull(),
  expiresAt: integer('expires_at').notNull()
  /* c8 ignore next */
}, (table) => [index('idempotency_keys_expires_at_idx').on(table.expiresAt)])
