import { sql } from 'drizzle-orm'
import { check, index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { PROJECT_ROLES } from '../../schemas/project.js'
import { DEFAULT_PRIORITY, DEFAULT_STATUS, TASK_STATUSES, TITLE_MAX_LENGTH } from '../../schemas/task.js'
import { JOB_KINDS, JOB_STATES } from '../../schemas/job.js'
import { FEED_EVENTS } from '../../schemas/event.js'
import { DELIVERY_STATES, WEBHOOK_EVENTS } from '../../schemas/webhook.js'
import { USER_ROLES } from '../../schemas/user.js'
import { dueOrderKey } from '../due-order.js'
import { LOCAL_USER_ID } from '../local-user.js'

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
  version: integer('version').notNull().default(1),
  // The project the task belongs to; null for a task of its creator's own.
  // drizzle-kit reads the targets of foreign keys when it generates migrations, never at run time.
  /* c8 ignore next */
  projectId: integer('project_id').references(() => projects.id),
  // Who created it. No REFERENCES: SQLite cannot add a column that has one
  // and a default, and the default gives the tasks made before users existed
  // to the built-in local user (users are never deleted).
  createdBy: integer('created_by').notNull().default(LOCAL_USER_ID),
  // Who is told by email when the task is done (added last, as SQLite adds columns).
  notifyEmail: text('notify_email'),
  // When it is due (null for never), and where it happens: a point in degrees
  // and its name, all null for nowhere in particular.
  dueAt: integer('due_at'),
  locationName: text('location_name'),
  locationLatitude: real('location_latitude'),
  locationLongitude: real('location_longitude')
  // Constraints and indexes are read by drizzle-kit when it generates the
  // migrations, never at run time; test/db/schema.test.ts checks that
  // the migrations match them.
  /* c8 ignore start */
}, (table) => [
  check('tasks_title_length', sql`length(${table.title}) BETWEEN 1 AND ${sql.raw(String(TITLE_MAX_LENGTH))}`),
  check('tasks_status_known', sql`${table.status} IN (${sql.raw(TASK_STATUSES.map((status) => `'${status}'`).join(', '))})`),
  check('tasks_priority_range', sql`${table.priority} BETWEEN 1 AND 5`),
  check('tasks_location_latitude_range', sql`${table.locationLatitude} BETWEEN -90 AND 90`),
  check('tasks_location_longitude_range', sql`${table.locationLongitude} BETWEEN -180 AND 180`),
  // A point is both coordinates or neither, and only a point has a name.
  check('tasks_location_whole', sql`(${table.locationLatitude} IS NULL) = (${table.locationLongitude} IS NULL) AND (${table.locationName} IS NULL OR ${table.locationLatitude} IS NOT NULL)`),
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
  index('tasks_updated_at_idx').on(table.updatedAt, table.id, table.deletedAt),
  // What a member can see: a project's tasks, and their own tasks outside any project.
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
  index('tasks_status_priority_due_desc_idx').on(table.status, table.priority, dueOrderKey(table.dueAt, 'desc'), table.id, table.deletedAt)
])
/* c8 ignore stop */

export type TaskRow = typeof tasks.$inferSelect

// How many tasks there are of each status, priority and deleted state, kept
// exact by triggers (migrations/sqlite/0002), so a list's total never counts rows.
export const taskCounts = sqliteTable('task_counts', {
  status: text('status', { enum: TASK_STATUSES }).notNull(),
  priority: integer('priority').notNull(),
  deleted: integer('deleted', { mode: 'boolean' }).notNull(),
  total: integer('total').notNull()
  /* c8 ignore next */
}, (table) => [primaryKey({ columns: [table.status, table.priority, table.deleted] })])

// The first response to each Idempotency-Key of each user, written in the
// same transaction as the change it reports, and replayed for repeats until
// it expires.
export const idempotencyKeys = sqliteTable('idempotency_keys', {
  /* c8 ignore next */
  userId: integer('user_id').notNull().references(() => users.id),
  key: text('key').notNull(),
  // Method, path and body of the first request: a repeat must match it.
  fingerprint: text('fingerprint').notNull(),
  status: integer('status').notNull(),
  location: text('location'),
  etag: text('etag'),
  body: text('body').notNull(),
  expiresAt: integer('expires_at').notNull()
  /* c8 ignore next */
}, (table) => [primaryKey({ columns: [table.userId, table.key] }), index('idempotency_keys_expires_at_idx').on(table.expiresAt)])

export const users = sqliteTable('users', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  // Always lowercase, so unique without regard to case.
  username: text('username').notNull(),
  email: text('email'),
  displayName: text('display_name').notNull(),
  role: text('role', { enum: USER_ROLES }).notNull(),
  disabled: integer('disabled', { mode: 'boolean' }).notNull().default(false),
  // An Argon2id hash; null for a user who cannot sign in (the built-in local user).
  passwordHash: text('password_hash'),
  // One more on every password change and every disabling: each token records
  // the generation it was issued under, and works only while it is current.
  credentialsGeneration: integer('credentials_generation').notNull().default(1),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
  // A few words the user wrote about themselves; null for none.
  bio: text('bio'),
  // The user's picture: the SHA-256 of its bytes in the blob store, and its
  // media type, both or neither. The blob store's sweep keeps a blob while a
  // user's avatar names it (hence the index).
  avatarSha256: text('avatar_sha256'),
  avatarType: text('avatar_type'),
  // One more each time the user signs out of the web pages: a page session
  // records the generation it began under, and works only while it is current.
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

// Personal access tokens: only a SHA-256 of each is kept (the token itself is
// 32 random bytes, so a fast hash is enough; it is shown once, when made).
export const personalTokens = sqliteTable('personal_tokens', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  /* c8 ignore next */
  userId: integer('user_id').notNull().references(() => users.id),
  name: text('name').notNull(),
  tokenHash: text('token_hash').notNull(),
  // Space-separated.
  scopes: text('scopes').notNull(),
  credentialsGeneration: integer('credentials_generation').notNull(),
  createdAt: integer('created_at').notNull(),
  expiresAt: integer('expires_at')
  /* c8 ignore next */
}, (table) => [uniqueIndex('personal_tokens_token_hash_idx').on(table.tokenHash), index('personal_tokens_user_idx').on(table.userId)])

// Refresh tokens, hashed like personal tokens. Each use replaces a token by a
// new one of the same family; a token used twice revokes its whole family.
export const refreshTokens = sqliteTable('refresh_tokens', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  /* c8 ignore next */
  userId: integer('user_id').notNull().references(() => users.id),
  family: text('family').notNull(),
  tokenHash: text('token_hash').notNull(),
  scopes: text('scopes').notNull(),
  credentialsGeneration: integer('credentials_generation').notNull(),
  createdAt: integer('created_at').notNull(),
  expiresAt: integer('expires_at').notNull(),
  usedAt: integer('used_at'),
  revokedAt: integer('revoked_at')
  /* c8 ignore start */
}, (table) => [
  uniqueIndex('refresh_tokens_token_hash_idx').on(table.tokenHash),
  index('refresh_tokens_family_idx').on(table.family),
  index('refresh_tokens_expires_at_idx').on(table.expiresAt)
])
/* c8 ignore stop */

export const projects = sqliteTable('projects', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  slug: text('slug').notNull(),
  name: text('name').notNull(),
  description: text('description'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull()
  /* c8 ignore next */
}, (table) => [uniqueIndex('projects_slug_idx').on(table.slug)])

export const projectMembers = sqliteTable('project_members', {
  /* c8 ignore next */
  projectId: integer('project_id').notNull().references(() => projects.id, { onDelete: 'cascade' }),
  /* c8 ignore next */
  userId: integer('user_id').notNull().references(() => users.id),
  role: text('role', { enum: PROJECT_ROLES }).notNull()
  /* c8 ignore start */
}, (table) => [
  primaryKey({ columns: [table.projectId, table.userId] }),
  // The projects of a user, for what they can see.
  index('project_members_user_idx').on(table.userId, table.projectId),
  check('project_members_role_known', sql`${table.role} IN (${sql.raw(PROJECT_ROLES.map((role) => `'${role}'`).join(', '))})`)
])
/* c8 ignore stop */

// The slugs a project had before it was renamed: they answer with a redirect
// until another project takes them.
export const projectSlugRedirects = sqliteTable('project_slug_redirects', {
  slug: text('slug').primaryKey(),
  /* c8 ignore next */
  projectId: integer('project_id').notNull().references(() => projects.id, { onDelete: 'cascade' })
})

// Secrets the server generates once and keeps (the JWT signing key when
// JWT_SECRET is not set), so that every restart and instance shares them.
export const serverSecrets = sqliteTable('server_secrets', {
  name: text('name').primaryKey(),
  value: text('value').notNull()
})

// Work done after the response (an email), written in the same transaction
// as the change that causes it (an outbox), and claimed by a worker for a
// lease: a job whose worker died is taken up again when its lease runs out.
export const jobs = sqliteTable('jobs', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  kind: text('kind', { enum: JOB_KINDS }).notNull(),
  // JSON: what the job works on.
  payload: text('payload').notNull(),
  state: text('state', { enum: JOB_STATES }).notNull().default('pending'),
  attempts: integer('attempts').notNull().default(0),
  // A pending job is not claimed before this time (its retry's backoff).
  runAt: integer('run_at').notNull(),
  leaseExpiresAt: integer('lease_expires_at'),
  // The worker (one per process) whose claim it is while running.
  claimedBy: text('claimed_by'),
  lastError: text('last_error'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull()
  /* c8 ignore start */
}, (table) => [
  check('jobs_state_known', sql`${table.state} IN (${sql.raw(JOB_STATES.map((state) => `'${state}'`).join(', '))})`),
  // Claims read the pending jobs that are due, and the running ones whose lease ran out.
  index('jobs_state_run_at_idx').on(table.state, table.runAt),
  index('jobs_state_lease_idx').on(table.state, table.leaseExpiresAt),
  // The administrators' list: by state, newest first.
  index('jobs_state_id_idx').on(table.state, table.id),
  // The purge of jobs finished long ago.
  index('jobs_state_updated_at_idx').on(table.state, table.updatedAt)
])
/* c8 ignore stop */

export const webhooks = sqliteTable('webhooks', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  url: text('url').notNull(),
  // JSON: the events it is sent, e.g. ["task.created"].
  events: text('events').notNull(),
  // Null: every task (an administrator's webhook).
  /* c8 ignore next */
  projectId: integer('project_id').references(() => projects.id, { onDelete: 'cascade' }),
  // `whsec_` and base64: it must sign, so it is kept as it is (like SMTP_URL's password).
  secret: text('secret').notNull(),
  // After a rotation, deliveries are signed with this one too until it expires.
  previousSecret: text('previous_secret'),
  previousSecretExpiresAt: integer('previous_secret_expires_at'),
  /* c8 ignore next */
  createdBy: integer('created_by').notNull().references(() => users.id),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull()
  /* c8 ignore next */
}, (table) => [index('webhooks_project_idx').on(table.projectId)])

export const webhookDeliveries = sqliteTable('webhook_deliveries', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  /* c8 ignore next */
  webhookId: integer('webhook_id').notNull().references(() => webhooks.id, { onDelete: 'cascade' }),
  event: text('event', { enum: WEBHOOK_EVENTS }).notNull(),
  // The webhook-id header, kept by a redelivery.
  messageId: text('message_id').notNull(),
  // The JSON body, as it is sent.
  body: text('body').notNull(),
  state: text('state', { enum: DELIVERY_STATES }).notNull().default('pending'),
  attempts: integer('attempts').notNull().default(0),
  responseStatus: integer('response_status'),
  lastError: text('last_error'),
  durationMs: integer('duration_ms'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull()
  /* c8 ignore start */
}, (table) => [
  check('webhook_deliveries_state_known', sql`${table.state} IN (${sql.raw(DELIVERY_STATES.map((state) => `'${state}'`).join(', '))})`),
  // A webhook's deliveries, newest first.
  index('webhook_deliveries_webhook_idx').on(table.webhookId, table.id),
  // The purge of deliveries finished long ago.
  index('webhook_deliveries_state_updated_at_idx').on(table.state, table.updatedAt)
])
/* c8 ignore stop */

export const taskEvents = sqliteTable('task_events', {
  // The order of the change log: a client resumes just after the last it saw.
  seq: integer('seq').primaryKey({ autoIncrement: true }),
  type: text('type', { enum: FEED_EVENTS }).notNull(),
  taskId: integer('task_id').notNull(),
  // Who may read it, as of the change: the task's project (null: none), and its creator.
  projectId: integer('project_id'),
  createdBy: integer('created_by').notNull(),
  // The JSON sent: {type, timestamp, data}, as a webhook's body.
  body: text('body').notNull(),
  createdAt: integer('created_at').notNull()
  /* c8 ignore start */
}, (table) => [
  // A project's feed.
  index('task_events_project_seq_idx').on(table.projectId, table.seq),
  // The purge of events older than EVENT_RETENTION_MS.
  index('task_events_created_at_idx').on(table.createdAt)
])
/* c8 ignore stop */

// Comments on tasks, each also appended to the change log (task_events) in
// the transaction that stores it. Tasks and users are never deleted, so
// neither are their comments.
export const taskComments = sqliteTable('task_comments', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  /* c8 ignore next */
  taskId: integer('task_id').notNull().references(() => tasks.id),
  body: text('body').notNull(),
  /* c8 ignore next */
  createdBy: integer('created_by').notNull().references(() => users.id),
  createdAt: integer('created_at').notNull()
  /* c8 ignore next */
}, (table) => [index('task_comments_task_idx').on(table.taskId, table.id)])

// The files attached to tasks: their content is in the blob store, named by
// its SHA-256, and a row holds what the API shows of it. Indexed for a task's
// list, and by hash for the blob store's sweep, which asks whether any row
// still refers to a blob.
export const taskAttachments = sqliteTable('task_attachments', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  /* c8 ignore next */
  taskId: integer('task_id').notNull().references(() => tasks.id),
  filename: text('filename').notNull(),
  size: integer('size').notNull(),
  contentType: text('content_type').notNull(),
  sha256: text('sha256').notNull(),
  /* c8 ignore next */
  createdBy: integer('created_by').notNull().references(() => users.id),
  createdAt: integer('created_at').notNull()
  /* c8 ignore next */
}, (table) => [index('task_attachments_task_idx').on(table.taskId, table.id), index('task_attachments_sha256_idx').on(table.sha256)])

// Who is in which project's room of the live feed, by instance (a random id
// each process takes when it starts): each instance keeps its own rows, and
// pushes `expires_at` on while it runs, so the rows of one that died are
// soon nobody's. Rows of a project gone expire with it.
export const roomPresence = sqliteTable('room_presence', {
  instanceId: text('instance_id').notNull(),
  projectId: integer('project_id').notNull(),
  username: text('username').notNull(),
  expiresAt: integer('expires_at').notNull()
  /* c8 ignore next */
}, (table) => [primaryKey({ columns: [table.projectId, table.username, table.instanceId] }), index('room_presence_instance_idx').on(table.instanceId)])
