import { sql } from 'drizzle-orm'
import { bigint, boolean, check, customType, doublePrecision, index, integer, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core'
import { PROJECT_ROLES } from '../../schemas/project.js'
import { DEFAULT_PRIORITY, DEFAULT_STATUS, TASK_STATUSES, TITLE_MAX_LENGTH } from '../../schemas/task.js'
import { JOB_KINDS, JOB_STATES } from '../../schemas/job.js'
import { FEED_EVENTS } from '../../schemas/event.js'
import { DELIVERY_STATES, WEBHOOK_EVENTS } from '../../schemas/webhook.js'
import { USER_ROLES } from '../../schemas/user.js'
import { dueOrderKey } from '../due-order.js'
import { LOCAL_USER_ID } from '../local-user.js'

// The same tables as src/db/sqlite/schema.ts, column for column, so that the
// API answers the same on both. Where PostgreSQL would differ it is told not to:
//  - timestamps are milliseconds since the epoch in a bigint, as in SQLite;
//  - text that is sorted (titles, usernames, slugs) or compared without regard
//    to case (titles and descriptions in a search, emails) has the "C"
//    collation: ordered by code points, as SQLite orders UTF-8, and with only
//    A-Z folded by ILIKE and lower(), as SQLite's LIKE and lower() fold them,
//    whatever the database's own locale.

/** Text ordered by code points and case-folded in ASCII only, whatever the database's locale. */
const codePointText = customType<{ data: string }>({
  /* c8 ignore next */
  dataType: () => 'text COLLATE "C"'
})

/** Milliseconds since the Unix epoch. */
const milliseconds = (name: string) => bigint(name, { mode: 'number' })
/**
 * Ids are 64-bit, as SQLite's INTEGER PRIMARY KEY is: any id a client can
 * name (up to 2^53) is one this table could hold, so looking it up answers
 * 'not found' rather than overflowing.
 */
const identity = (name: string) => bigint(name, { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity()
/** A column holding another table's id. */
const reference = (name: string) => bigint(name, { mode: 'number' })

export const tasks = pgTable('tasks', {
  id: identity('id'),
  title: codePointText('title').notNull(),
  description: codePointText('description'),
  status: text('status', { enum: TASK_STATUSES }).notNull().default(DEFAULT_STATUS),
  priority: integer('priority').notNull().default(DEFAULT_PRIORITY),
  assignee: text('assignee'),
  createdAt: milliseconds('created_at').notNull(),
  updatedAt: milliseconds('updated_at').notNull(),
  deletedAt: milliseconds('deleted_at'),
  version: integer('version').notNull().default(1),
  // drizzle-kit reads the targets of foreign keys when it generates migrations, never at run time.
  /* c8 ignore next */
  projectId: reference('project_id').references(() => projects.id),
  /* c8 ignore next */
  createdBy: reference('created_by').notNull().default(LOCAL_USER_ID).references(() => users.id),
  notifyEmail: text('notify_email'),
  dueAt: milliseconds('due_at'),
  locationName: text('location_name'),
  locationLatitude: doublePrecision('location_latitude'),
  locationLongitude: doublePrecision('location_longitude')
  // Read by drizzle-kit only; test/db/schema.test.ts checks that the migrations match.
  /* c8 ignore start */
}, (table) => [
  check('tasks_title_length', sql`char_length(${table.title}) BETWEEN 1 AND ${sql.raw(String(TITLE_MAX_LENGTH))}`),
  check('tasks_status_known', sql`${table.status} IN (${sql.raw(TASK_STATUSES.map((status) => `'${status}'`).join(', '))})`),
  check('tasks_priority_range', sql`${table.priority} BETWEEN 1 AND 5`),
  check('tasks_location_latitude_range', sql`${table.locationLatitude} BETWEEN -90 AND 90`),
  check('tasks_location_longitude_range', sql`${table.locationLongitude} BETWEEN -180 AND 180`),
  // A point is both coordinates or neither, and only a point has a name.
  check('tasks_location_whole', sql`(${table.locationLatitude} IS NULL) = (${table.locationLongitude} IS NULL) AND (${table.locationName} IS NULL OR ${table.locationLatitude} IS NOT NULL)`),
  // One index per list shape, as on SQLite: equality filters, then the sort
  // column and id, so that a page is read in order and never sorted.
  index('tasks_created_at_idx').on(table.createdAt, table.id, table.deletedAt),
  index('tasks_status_created_at_idx').on(table.status, table.createdAt, table.id, table.deletedAt),
  index('tasks_priority_created_at_idx').on(table.priority, table.createdAt, table.id, table.deletedAt),
  index('tasks_status_priority_created_at_idx').on(table.status, table.priority, table.createdAt, table.id, table.deletedAt),
  index('tasks_title_idx').on(table.title, table.id, table.deletedAt),
  index('tasks_status_title_idx').on(table.status, table.title, table.id, table.deletedAt),
  index('tasks_priority_title_idx').on(table.priority, table.title, table.id, table.deletedAt),
  index('tasks_status_priority_title_idx').on(table.status, table.priority, table.title, table.id, table.deletedAt),
  index('tasks_priority_idx').on(table.priority, table.id, table.deletedAt),
  index('tasks_status_priority_idx').on(table.status, table.priority, table.id, table.deletedAt),
  index('tasks_updated_at_idx').on(table.updatedAt, table.id, table.deletedAt),
  index('tasks_project_created_by_idx').on(table.projectId, table.createdBy),
  // Sorting by due time, tasks without one last: each order has its key
  // (src/db/due-order.ts), alone and after the equality filters.
  index('tasks_due_asc_idx').on(dueOrderKey(table.dueAt, 'asc'), table.id, table.deletedAt),
  index('tasks_due_desc_idx').on(dueOrderKey(table.dueAt, 'desc'), table.id, table.deletedAt),
  index('tasks_status_due_asc_idx').on(table.status, dueOrderKey(table.dueAt, 'asc'), table.id, table.deletedAt),
  index('tasks_status_due_desc_idx').on(table.status, dueOrderKey(table.dueAt, 'desc'), table.id, table.deletedAt),
  index('tasks_priority_due_asc_idx').on(table.priority, dueOrderKey(table.dueAt, 'asc'), table.id, table.deletedAt),
  index('tasks_priority_due_desc_idx').on(table.priority, dueOrderKey(table.dueAt, 'desc'), table.id, table.deletedAt),
  index('tasks_status_priority_due_asc_idx').on(table.status, table.priority, dueOrderKey(table.dueAt, 'asc'), table.id, table.deletedAt),
  index('tasks_status_priority_due_desc_idx').on(table.status, table.priority, dueOrderKey(table.dueAt, 'desc'), table.id, table.deletedAt),
  // Search: pg_trgm finds the tasks that can hold a term of 3 or more
  // characters (ILIKE), and the exact test then runs on those alone.
  // fastupdate off: a write adds its trigrams to the index itself, not to a
  // pending list that every search would read through until the next vacuum.
  index('tasks_title_trigram_idx').using('gin', table.title.op('gin_trgm_ops')).with({ fastupdate: false }),
  index('tasks_description_trigram_idx').using('gin', table.description.op('gin_trgm_ops')).with({ fastupdate: false })
])
/* c8 ignore stop */

export type TaskRow = typeof tasks.$inferSelect

// How many tasks there are of each status, priority and deleted state, kept
// exact by triggers (migrations/postgres/0000), so a list's total never counts
// rows. Each connection adds to its own slot (its backend pid modulo 16), so
// concurrent writes do not queue on one counter row; a total sums the slots.
export const taskCounts = pgTable('task_counts', {
  status: text('status', { enum: TASK_STATUSES }).notNull(),
  priority: integer('priority').notNull(),
  deleted: boolean('deleted').notNull(),
  slot: integer('slot').notNull(),
  total: bigint('total', { mode: 'number' }).notNull()
  /* c8 ignore next */
}, (table) => [primaryKey({ columns: [table.status, table.priority, table.deleted, table.slot] })])

export const idempotencyKeys = pgTable('idempotency_keys', {
  /* c8 ignore next */
  userId: reference('user_id').notNull().references(() => users.id),
  key: text('key').notNull(),
  fingerprint: text('fingerprint').notNull(),
  status: integer('status').notNull(),
  location: text('location'),
  etag: text('etag'),
  body: text('body').notNull(),
  expiresAt: milliseconds('expires_at').notNull()
  /* c8 ignore next */
}, (table) => [primaryKey({ columns: [table.userId, table.key] }), index('idempotency_keys_expires_at_idx').on(table.expiresAt)])

export const users = pgTable('users', {
  id: identity('id'),
  username: codePointText('username').notNull(),
  email: codePointText('email'),
  displayName: text('display_name').notNull(),
  role: text('role', { enum: USER_ROLES }).notNull(),
  disabled: boolean('disabled').notNull().default(false),
  passwordHash: text('password_hash'),
  credentialsGeneration: integer('credentials_generation').notNull().default(1),
  createdAt: milliseconds('created_at').notNull(),
  updatedAt: milliseconds('updated_at').notNull(),
  bio: text('bio'),
  // The picture's SHA-256 in the blob store and its media type, both or neither (as in SQLite's schema).
  avatarSha256: text('avatar_sha256'),
  avatarType: text('avatar_type'),
  // The web pages' sessions' generation (as in SQLite's schema).
  sessionGeneration: integer('session_generation').notNull().default(1)
  /* c8 ignore start */
}, (table) => [
  uniqueIndex('users_username_idx').on(table.username),
  uniqueIndex('users_email_idx').on(sql`lower(${table.email})`),
  index('users_avatar_sha256_idx').on(table.avatarSha256),
  check('users_username_lowercase', sql`${table.username} = lower(${table.username})`),
  check('users_role_known', sql`${table.role} IN (${sql.raw(USER_ROLES.map((role) => `'${role}'`).join(', '))})`),
  check('users_avatar_whole', sql`(${table.avatarSha256} IS NULL) = (${table.avatarType} IS NULL)`)
])
/* c8 ignore stop */

export const personalTokens = pgTable('personal_tokens', {
  id: identity('id'),
  /* c8 ignore next */
  userId: reference('user_id').notNull().references(() => users.id),
  name: text('name').notNull(),
  tokenHash: text('token_hash').notNull(),
  scopes: text('scopes').notNull(),
  credentialsGeneration: integer('credentials_generation').notNull(),
  createdAt: milliseconds('created_at').notNull(),
  expiresAt: milliseconds('expires_at')
  /* c8 ignore next */
}, (table) => [uniqueIndex('personal_tokens_token_hash_idx').on(table.tokenHash), index('personal_tokens_user_idx').on(table.userId)])

export const refreshTokens = pgTable('refresh_tokens', {
  id: identity('id'),
  /* c8 ignore next */
  userId: reference('user_id').notNull().references(() => users.id),
  family: text('family').notNull(),
  tokenHash: text('token_hash').notNull(),
  scopes: text('scopes').notNull(),
  credentialsGeneration: integer('credentials_generation').notNull(),
  createdAt: milliseconds('created_at').notNull(),
  expiresAt: milliseconds('expires_at').notNull(),
  usedAt: milliseconds('used_at'),
  revokedAt: milliseconds('revoked_at')
  /* c8 ignore start */
}, (table) => [
  uniqueIndex('refresh_tokens_token_hash_idx').on(table.tokenHash),
  index('refresh_tokens_family_idx').on(table.family),
  index('refresh_tokens_expires_at_idx').on(table.expiresAt)
])
/* c8 ignore stop */

export const projects = pgTable('projects', {
  id: identity('id'),
  slug: codePointText('slug').notNull(),
  name: text('name').notNull(),
  description: text('description'),
  createdAt: milliseconds('created_at').notNull(),
  updatedAt: milliseconds('updated_at').notNull()
  /* c8 ignore next */
}, (table) => [uniqueIndex('projects_slug_idx').on(table.slug)])

export const projectMembers = pgTable('project_members', {
  /* c8 ignore next */
  projectId: reference('project_id').notNull().references(() => projects.id, { onDelete: 'cascade' }),
  /* c8 ignore next */
  userId: reference('user_id').notNull().references(() => users.id),
  role: text('role', { enum: PROJECT_ROLES }).notNull()
  /* c8 ignore start */
}, (table) => [
  primaryKey({ columns: [table.projectId, table.userId] }),
  index('project_members_user_idx').on(table.userId, table.projectId),
  check('project_members_role_known', sql`${table.role} IN (${sql.raw(PROJECT_ROLES.map((role) => `'${role}'`).join(', '))})`)
])
/* c8 ignore stop */

export const projectSlugRedirects = pgTable('project_slug_redirects', {
  slug: codePointText('slug').primaryKey(),
  /* c8 ignore next */
  projectId: reference('project_id').notNull().references(() => projects.id, { onDelete: 'cascade' })
})

export const serverSecrets = pgTable('server_secrets', {
  name: text('name').primaryKey(),
  value: text('value').notNull()
})

export const jobs = pgTable('jobs', {
  id: identity('id'),
  kind: text('kind', { enum: JOB_KINDS }).notNull(),
  payload: text('payload').notNull(),
  state: text('state', { enum: JOB_STATES }).notNull().default('pending'),
  attempts: integer('attempts').notNull().default(0),
  runAt: milliseconds('run_at').notNull(),
  leaseExpiresAt: milliseconds('lease_expires_at'),
  claimedBy: text('claimed_by'),
  lastError: text('last_error'),
  createdAt: milliseconds('created_at').notNull(),
  updatedAt: milliseconds('updated_at').notNull()
  /* c8 ignore start */
}, (table) => [
  check('jobs_state_known', sql`${table.state} IN (${sql.raw(JOB_STATES.map((state) => `'${state}'`).join(', '))})`),
  index('jobs_state_run_at_idx').on(table.state, table.runAt),
  index('jobs_state_lease_idx').on(table.state, table.leaseExpiresAt),
  index('jobs_state_id_idx').on(table.state, table.id),
  index('jobs_state_updated_at_idx').on(table.state, table.updatedAt)
])
/* c8 ignore stop */

export const webhooks = pgTable('webhooks', {
  id: identity('id'),
  url: text('url').notNull(),
  events: text('events').notNull(),
  /* c8 ignore next */
  projectId: reference('project_id').references(() => projects.id, { onDelete: 'cascade' }),
  secret: text('secret').notNull(),
  previousSecret: text('previous_secret'),
  previousSecretExpiresAt: milliseconds('previous_secret_expires_at'),
  /* c8 ignore next */
  createdBy: reference('created_by').notNull().references(() => users.id),
  createdAt: milliseconds('created_at').notNull(),
  updatedAt: milliseconds('updated_at').notNull()
  /* c8 ignore next */
}, (table) => [index('webhooks_project_idx').on(table.projectId)])

export const webhookDeliveries = pgTable('webhook_deliveries', {
  id: identity('id'),
  /* c8 ignore next */
  webhookId: reference('webhook_id').notNull().references(() => webhooks.id, { onDelete: 'cascade' }),
  event: text('event', { enum: WEBHOOK_EVENTS }).notNull(),
  messageId: text('message_id').notNull(),
  body: text('body').notNull(),
  state: text('state', { enum: DELIVERY_STATES }).notNull().default('pending'),
  attempts: integer('attempts').notNull().default(0),
  responseStatus: integer('response_status'),
  lastError: text('last_error'),
  durationMs: integer('duration_ms'),
  createdAt: milliseconds('created_at').notNull(),
  updatedAt: milliseconds('updated_at').notNull()
  /* c8 ignore start */
}, (table) => [
  check('webhook_deliveries_state_known', sql`${table.state} IN (${sql.raw(DELIVERY_STATES.map((state) => `'${state}'`).join(', '))})`),
  index('webhook_deliveries_webhook_idx').on(table.webhookId, table.id),
  index('webhook_deliveries_state_updated_at_idx').on(table.state, table.updatedAt)
])
/* c8 ignore stop */

export const taskEvents = pgTable('task_events', {
  seq: identity('seq'),
  type: text('type', { enum: FEED_EVENTS }).notNull(),
  taskId: reference('task_id').notNull(),
  projectId: reference('project_id'),
  createdBy: reference('created_by').notNull(),
  body: text('body').notNull(),
  createdAt: milliseconds('created_at').notNull()
  /* c8 ignore start */
}, (table) => [
  index('task_events_project_seq_idx').on(table.projectId, table.seq),
  index('task_events_created_at_idx').on(table.createdAt)
])
/* c8 ignore stop */

export const taskComments = pgTable('task_comments', {
  id: identity('id'),
  /* c8 ignore next */
  taskId: reference('task_id').notNull().references(() => tasks.id),
  body: text('body').notNull(),
  /* c8 ignore next */
  createdBy: reference('created_by').notNull().references(() => users.id),
  createdAt: milliseconds('created_at').notNull()
  /* c8 ignore next */
}, (table) => [index('task_comments_task_idx').on(table.taskId, table.id)])

export const taskAttachments = pgTable('task_attachments', {
  id: identity('id'),
  /* c8 ignore next */
  taskId: reference('task_id').notNull().references(() => tasks.id),
  filename: text('filename').notNull(),
  size: bigint('size', { mode: 'number' }).notNull(),
  contentType: text('content_type').notNull(),
  sha256: text('sha256').notNull(),
  /* c8 ignore next */
  createdBy: reference('created_by').notNull().references(() => users.id),
  createdAt: milliseconds('created_at').notNull()
  /* c8 ignore next */
}, (table) => [index('task_attachments_task_idx').on(table.taskId, table.id), index('task_attachments_sha256_idx').on(table.sha256)])

// Who is in which project's room of the live feed, by instance (a random id
// each process takes when it starts): each instance keeps its own rows, and
// pushes `expires_at` on while it runs, so the rows of one that died are
// soon nobody's. Rows of a project gone expire with it.
export const roomPresence = pgTable('room_presence', {
  instanceId: text('instance_id').notNull(),
  projectId: reference('project_id').notNull(),
  username: text('username').notNull(),
  expiresAt: milliseconds('expires_at').notNull()
  /* c8 ignore next */
}, (table) => [primaryKey({ columns: [table.projectId, table.username, table.instanceId] }), index('room_presence_instance_idx').on(table.instanceId)])
