import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import type { Database } from '../database.js'
import { createSqliteAttachmentRepository } from './attachment-repository.js'
import { createSqliteCommentRepository } from './comment-repository.js'
import { createGroupCommit } from './group-commit.js'
import { createSqliteIdempotencyRepository } from './idempotency-repository.js'
import { createSqliteEventLog } from './event-log.js'
import { createSqliteJobRepository } from './job-repository.js'
import { createSqliteOutbox } from './outbox.js'
import { createSqlitePresenceRepository } from './presence-repository.js'
import { createSqliteProjectRepository } from './project-repository.js'
import { taskEvents, tasks } from './schema.js'
import { createSqliteSecretRepository } from './secret-repository.js'
import { storageFaultOf } from './storage-faults.js'
import { reportingStorageFaults } from '../reporting-storage-faults.js'
import { createSqliteTaskRepository } from './task-repository.js'
import { createSqliteTokenRepository } from './token-repository.js'
import { createSqliteUserRepository } from './user-repository.js'
import { createSqliteWebhookRepository } from './webhook-repository.js'
import { SQLITE_MIGRATIONS_FOLDER } from '../../project-files.js'
import { ASSIGNEE_MAX_LENGTH, DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH } from '../../schemas/task.js'

/**
 * Opens (creating it if needed) the SQLite database at `url`, a file path or
 * `:memory:`, and brings its schema up to date with the migrations.
 */
export function openSqliteConnection (url: string) {
  if (url !== ':memory:') mkdirSync(dirname(url), { recursive: true })
  const client = new BetterSqlite3(url)
  try {
    client.pragma('journal_mode = WAL')
    // Every commit reaches the disk before it is acknowledged.
    client.pragma('synchronous = FULL')
    // Another process holding the write lock (a CLI, a migration) is waited
    // for this long; the wait blocks the event loop, so it stays short.
    client.pragma('busy_timeout = 1000')
    client.pragma('foreign_keys = ON')
    // SQLite's own cache of pages: 8 MiB rather than better-sqlite3's 16.
    // The pages it misses come from the operating system's file cache, a
    // read of a few microseconds: on a million tasks, halving it changed no
    // benchmark case beyond the noise and kept 8 MB out of the resident memory.
    client.pragma('cache_size = -8192')
    const db = drizzle({ client })
    migrate(db, { migrationsFolder: SQLITE_MIGRATIONS_FOLDER })
    return db
  } catch (error) {
    client.close()
    throw error
  }
}

export type SqliteConnection = ReturnType<typeof openSqliteConnection>

/** The Database over SQLite, with its connection for what only SQLite can do (backups, fault drills). */
export interface SqliteDatabase extends Database {
  readonly connection: SqliteConnection
}

/** The app's Database over a SQLite connection (see openSqliteConnection). */
export function openSqliteDatabase (url: string): SqliteDatabase {
  const db = openSqliteConnection(url)
  const client = db.$client
  const selectOne = client.prepare('SELECT 1')
  // The largest task there can be: if it fits, any task write does.
  const insertLargestTask = db.insert(tasks).values({
    title: 'x'.repeat(TITLE_MAX_LENGTH),
    description: 'x'.repeat(DESCRIPTION_MAX_LENGTH),
    assignee: 'x'.repeat(ASSIGNEE_MAX_LENGTH),
    createdAt: 0,
    updatedAt: 0
  }).prepare()
  // And its event in the change log, which every task write appends.
  const insertLargestEvent = db.insert(taskEvents).values({
    type: 'task.updated',
    taskId: 0,
    createdBy: 0,
    body: 'x'.repeat(TITLE_MAX_LENGTH + DESCRIPTION_MAX_LENGTH + ASSIGNEE_MAX_LENGTH + 1024),
    createdAt: 0
  }).prepare()
  const write = createGroupCommit(client)
  const idempotency = createSqliteIdempotencyRepository(db, write)
  const jobs = createSqliteJobRepository(db, write)
  const webhooks = createSqliteWebhookRepository(db, write, jobs.insert, jobs.enqueued)
  const events = createSqliteEventLog(db, write)
  const outbox = createSqliteOutbox(db, jobs.insert, webhooks, events, jobs.enqueued)
  const presence = createSqlitePresenceRepository(db, write)
  const { ping } = reportingStorageFaults({
    async ping () {
      selectOne.get()
      // A write as the API makes them, rolled back: a full or read-only
      // database answers reads but refuses it.
      client.exec('BEGIN IMMEDIATE')
      try {
        insertLargestTask.run()
        insertLargestEvent.run()
      } finally {
        // A full database may have rolled the transaction back by itself.
        if (client.inTransaction) client.exec('ROLLBACK')
      }
    }
  }, storageFaultOf)
  return {
    connection: db,
    tasks: reportingStorageFaults(createSqliteTaskRepository(db, write, idempotency.save, outbox), storageFaultOf),
    idempotency: reportingStorageFaults(idempotency.repository, storageFaultOf),
    users: reportingStorageFaults(createSqliteUserRepository(db, write), storageFaultOf),
    tokens: reportingStorageFaults(createSqliteTokenRepository(db, write), storageFaultOf),
    projects: reportingStorageFaults(createSqliteProjectRepository(db, write, outbox), storageFaultOf),
    secrets: reportingStorageFaults(createSqliteSecretRepository(db, write), storageFaultOf),
    jobs: reportingStorageFaults(jobs.repository, storageFaultOf),
    webhooks: reportingStorageFaults(webhooks.repository, storageFaultOf),
    comments: reportingStorageFaults(createSqliteCommentRepository(db, write, events), storageFaultOf),
    attachments: reportingStorageFaults(createSqliteAttachmentRepository(db, write), storageFaultOf),
    events: reportingStorageFaults(events.log, storageFaultOf),
    presence: reportingStorageFaults(presence.repository, storageFaultOf),
    onJobsEnqueued: jobs.onEnqueued,
    onEventsAppended: events.onAppended,
    onPresenceChanged: presence.onChanged,
    ping,
    async close () {
      if (client.open) client.close()
    }
  }
}
