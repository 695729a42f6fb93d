import { and, eq, isNotNull, or, sql } from 'drizzle-orm'
import type { NewJob } from '../job-repository.js'
import { newAssignee, type TaskChange } from '../../jobs/task-change.js'
import { notificationJobs } from '../../jobs/task-notification.js'
import { changeEvents, taskDeliveries, type NewDelivery, type NewEvent } from '../../jobs/task-events.js'
import type { PostgresConnection, PostgresTransaction } from './postgres-database.js'
import { projectMembers, users } from './schema.js'
import { inTransaction } from './transaction.js'

/** Where the webhooks that hear of a change are found, and their deliveries added (see the webhook repository). */
export interface PostgresWebhookOutbox {
  listenersOf (tx: PostgresTransaction, projectId: number | null): Promise<Array<{ id: number, events: string }>>
  insertDeliveries (tx: PostgresTransaction, deliveries: readonly NewDelivery[], now: number): Promise<unknown[]>
}

/** Where the change log's events are appended, and who is told once they are committed. */
export interface PostgresEventOutbox {
  append (tx: PostgresTransaction, events: readonly NewEvent[]): Promise<void>
  appended (): void
}

/** What task changes cause (events in the change log; emails and webhook deliveries), written in the transaction of each change. */
export interface PostgresOutbox {
  /** Appends the events of `change` and adds the jobs it causes inside its transaction `tx`. Answers whether it added jobs. */
  record (tx: PostgresTransaction, change: TaskChange): Promise<boolean>
  /** Call once a write that recorded changes has committed (`jobsAdded`: and jobs): tells this process's feeds, and wakes its worker. */
  committed (jobsAdded: boolean): void
}

export function createPostgresOutbox (insert: (tx: PostgresTransaction, jobs: readonly NewJob[], now: number) => Promise<unknown>, webhooks: PostgresWebhookOutbox, events: PostgresEventOutbox, enqueued: () => void): PostgresOutbox {
  /** The email of an enabled user with this username who may see the task: an assignment never tells anyone about a task they could not open. */
  const assigneeEmail = async (tx: PostgresTransaction, username: string, { projectId, createdBy }: TaskChange['after']) => {
    const [user] = await tx.select({ email: users.email }).from(users)
      .where(and(
        eq(users.username, username),
        eq(users.disabled, false),
        isNotNull(users.email),
        or(
          eq(users.role, 'admin'),
          projectId === null ? eq(users.id, createdBy) : sql`EXISTS (SELECT 1 FROM ${projectMembers} WHERE ${projectMembers.projectId} = ${projectId} AND ${projectMembers.userId} = ${users.id})`
        )
      ))
    return user?.email ?? null
  }
  return {
    async record (tx, change) {
      const assignee = newAssignee(change)
      const email = assignee === undefined ? null : await assigneeEmail(tx, assignee.toLowerCase(), change.after)
      const jobs = notificationJobs(change, email)
      const now = Date.now()
      const logged = changeEvents(change, now)
      await events.append(tx, logged)
      const deliveries = taskDeliveries(logged, await webhooks.listenersOf(tx, change.after.projectId))
      if (jobs.length > 0) await insert(tx, jobs, now)
      await webhooks.insertDeliveries(tx, deliveries, now)
      return jobs.length > 0 || deliveries.length > 0
    },
    committed (jobsAdded) {
      events.appended()
      if (jobsAdded) enqueued()
    }
  }
}

/**
 * Runs a write in a transaction, and tells the outbox once it has
 * committed, when it recorded changes (`record` tells it of one).
 */
export function recordingWrites (db: PostgresConnection, outbox: PostgresOutbox) {
  return async <T>(work: (tx: PostgresTransaction, record: (change: TaskChange) => Promise<void>) => Promise<T>): Promise<T> => {
    let recorded = false
    let added = false
    const result = await inTransaction(db, (tx) => work(tx, async (change) => {
      recorded = true
      added = await outbox.record(tx, change) || added
    }))
    if (recorded) outbox.committed(added)
    return result
  }
}
