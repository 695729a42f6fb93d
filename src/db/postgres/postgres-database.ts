import pg from 'pg'
import { sql } from 'drizzle-orm'
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres'
import { migrate } from 'drizzle-orm/node-postgres/migrator'
import type { FastifyBaseLogger } from 'fastify'
import type { Database } from '../database.js'
import { reportingStorageFaults } from '../reporting-storage-faults.js'
import { StorageUnavailableError } from '../storage-unavailable-error.js'
import { POSTGRES_MIGRATIONS_FOLDER } from '../../project-files.js'
import { createPostgresAttachmentRepository } from './attachment-repository.js'
import { createPostgresCommentRepository } from './comment-repository.js'
import { createPostgresEventLog } from './event-log.js'
import { createPostgresIdempotencyRepository } from './idempotency-repository.js'
import { createPostgresJobRepository } from './job-repository.js'
import { listenForNotifications } from './notifications.js'
import { createPostgresOutbox } from './outbox.js'
import { createPostgresPresenceRepository } from './presence-repository.js'
import { createPostgresProjectRepository } from './project-repository.js'
import { createPostgresSecretRepository } from './secret-repository.js'
import { storageFaultOf } from './storage-faults.js'
import { createPostgresTaskRepository } from './task-repository.js'
import { createPostgresTokenRepository } from './token-repository.js'
import { createPostgresUserRepository } from './user-repository.js'
import { createPostgresWebhookRepository } from './webhook-repository.js'

export type PostgresConnection = NodePgDatabase & { $client: pg.Pool }
/** A connection, or the transaction a write runs in: what a query can be made on. */
export type PostgresTransaction = Parameters<Parameters<PostgresConnection['transaction']>[0]>[0]
/** Where the database reports connections lost and found again: the server's log. */
export type DatabaseLog = Pick<FastifyBaseLogger, 'warn' | 'info'>

export interface PostgresOptions {
  /** DATABASE_POOL_SIZE: connections this process opens at most. */
  poolSize: number
  /** DATABASE_POOL_TIMEOUT_MS: how long a query waits for a free connection (or a new one) before it fails. */
  poolTimeoutMs: number
  /** Told of connections lost: the pool's while idle (the server restarted, say), and the one that listens for other instances. */
  log?: DatabaseLog | undefined
}

// A statement that runs longer than this is cancelled by the server, and one
// whose answer does not arrive (the server vanished without closing the
// connection) is given up by the client a little later: nothing hangs.
const STATEMENT_TIMEOUT_MS = 15_000
const QUERY_TIMEOUT_MS = STATEMENT_TIMEOUT_MS + 5_000

// Every instance migrates on start; this lock, one per schema, lets one at a time do it.
const MIGRATION_LOCK = 'task-api migrations of '

/**
 * Brings the schema at `url` up to date: the migrations run in one
 * transaction, under an advisory lock so that instances starting together
 * take turns, and are recorded in the schema they create (the first of the
 * connection's search_path).
 */
async function migrateSchema (url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const { rows: [current] } = await client.query<{ schema: string }>('SELECT current_schema() AS schema')
    const schema = (current as { schema: string }).schema
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [MIGRATION_LOCK + schema])
    await migrate(drizzle({ client }), { migrationsFolder: POSTGRES_MIGRATIONS_FOLDER, migrationsSchema: schema })
  } finally {
    // Ending the session releases the lock, even when a migration failed.
    await client.end()
  }
}

/** The Database over PostgreSQL, with its pool (for the tests that bring faults about). */
export interface PostgresDatabase extends Database {
  readonly pool: pg.Pool
}

/**
 * Opens a pool on the PostgreSQL database at `url`, after bringing its
 * schema up to date, as the app's Database.
 */
export async function openPostgresDatabase (url: string, { poolSize, poolTimeoutMs, log }: PostgresOptions): Promise<PostgresDatabase> {
  await migrateSchema(url)
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: poolTimeoutMs,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    query_timeout: QUERY_TIMEOUT_MS,
    keepAlive: true,
    application_name: 'task-api'
  })
  // An error event without a listener ends the process. The pool listens on
  // its idle connections (and reports through 'error'); a connection lost
  // while a transaction holds it fails that transaction's query, and its
  // error event is left to this listener, so that it ends nothing else.
  // The pool drops a connection lost while idle, and opens another when one is needed.
  pool.on('error', (error) => log?.warn({ err: error }, 'a database connection was lost while idle'))
  pool.on('connect', (client) => client.on('error', () => {}))
  const db = drizzle({ client: pool })
  const { ping } = reportingStorageFaults({
    async ping () {
      // A server in recovery (a standby) or set read-only answers reads but refuses every write.
      const [row] = await db.execute<{ writable: boolean }>(sql`SELECT NOT pg_is_in_recovery() AND current_setting('transaction_read_only') = 'off' AS writable`).then((result) => result.rows)
      if (row?.writable !== true) throw new StorageUnavailableError('read-only')
    }
  }, storageFaultOf)
  const idempotency = createPostgresIdempotencyRepository(db)
  const jobs = createPostgresJobRepository(db)
  const webhooks = createPostgresWebhookRepository(db, jobs.insert, jobs.enqueued)
  const events = createPostgresEventLog(db)
  // Other instances' commits (NOTIFY) tell this process's listeners as its own do.
  const presence = createPostgresPresenceRepository(db)
  const listener = await listenForNotifications(url, { task_events: events.appended, task_jobs: jobs.enqueued, task_presence: presence.changed }, log)
  const outbox = createPostgresOutbox(jobs.insert, webhooks, events, jobs.enqueued)
  let closed: Promise<void> | undefined
  return {
    pool,
    tasks: reportingStorageFaults(createPostgresTaskRepository(db, idempotency.save, outbox), storageFaultOf),
    idempotency: reportingStorageFaults(idempotency.repository, storageFaultOf),
    users: reportingStorageFaults(createPostgresUserRepository(db), storageFaultOf),
    tokens: reportingStorageFaults(createPostgresTokenRepository(db), storageFaultOf),
    projects: reportingStorageFaults(createPostgresProjectRepository(db, outbox), storageFaultOf),
    secrets: reportingStorageFaults(createPostgresSecretRepository(db), storageFaultOf),
    jobs: reportingStorageFaults(jobs.repository, storageFaultOf),
    webhooks: reportingStorageFaults(webhooks.repository, storageFaultOf),
    comments: reportingStorageFaults(createPostgresCommentRepository(db, events), storageFaultOf),
    attachments: reportingStorageFaults(createPostgresAttachmentRepository(db), storageFaultOf),
    events: reportingStorageFaults(events.log, storageFaultOf),
    presence: reportingStorageFaults(presence.repository, storageFaultOf),
    onJobsEnqueued: jobs.onEnqueued,
    onEventsAppended: events.onAppended,
    onPresenceChanged: presence.onChanged,
    ping,
    async close () {
      closed ??= Promise.all([listener.close(), pool.end()]).then(() => {})
      return closed
    }
  }
}
