import { and, eq, isNotNull, or, sql } from 'drizzle-orm'
import type { NewJob } from '../job-repository.js'
import { newAssignee, type TaskChange } from '../../jobs/task-change.js'
import { notificationJobs } from '../../jobs/task-notification.js'
import { changeEvents, taskDeliveries, type NewDelivery, type NewEvent } from '../../jobs/task-events.js'
import { projectMembers, users } from './schema.js'
import type { GroupCommit } from './group-commit.js'
import type { SqliteConnection } from './sqlite-database.js'

/** Where the webhooks that hear of a change are found, and their deliveries added (see the webhook repository). */
export interface SqliteWebhookOutbox {
  listenersOf (projectId: number | null): Array<{ id: number, events: string }>
  insertDeliveries (deliveries: readonly NewDelivery[], now: number): unknown[]
}

/** Where the change log's events are appended, and who is told once they are committed. */
export interface SqliteEventOutbox {
  append (events: readonly NewEvent[]): void
  appended (): void
}

/** What task changes cause (events in the change log; emails and webhook deliveries), written in the transaction of each change. */
export interface SqliteOutbox {
  /** Appends the events of `change` and adds the jobs it causes; call inside its write transaction. Answers whether it added jobs. */
  record (change: TaskChange): boolean
  /** Call once a write that recorded changes has committed (`jobsAdded`: and jobs): tells this process's feeds, and wakes its worker. */
  committed (jobsAdded: boolean): void
}

export function createSqliteOutbox (db: SqliteConnection, insert: (jobs: readonly NewJob[], now: number) => unknown, webhooks: SqliteWebhookOutbox, events: SqliteEventOutbox, enqueued: () => void): SqliteOutbox {
  const placeholder = (name: string) => sql.placeholder(name)
  // The email of an enabled user with this username who may see the task: an
  // assignment never tells anyone about a task they could not open.
  const assigneeEmail = db.select({ email: users.email }).from(users)
    .where(and(
      eq(users.username, placeholder('username')),
      eq(users.disabled, false),
      isNotNull(users.email),
      or(
        eq(users.role, 'admin'),
        sql`(${placeholder('projectId')} IS NULL AND ${users.id} = ${placeholder('createdBy')})`,
        sql`EXISTS (SELECT 1 FROM ${projectMembers} WHERE ${projectMembers.projectId} = ${placeholder('projectId')} AND ${projectMembers.userId} = ${users.id})`
      )
    ))
    .prepare()
  return {
    record (change) {
      const assignee = newAssignee(change)
      const email = assignee === undefined
        ? null
        : assigneeEmail.get({ username: assignee.toLowerCase(), projectId: change.after.projectId, createdBy: change.after.createdBy })?.email ?? null
      const jobs = notificationJobs(change, email)
      const now = Date.now()
      const logged = changeEvents(change, now)
      events.append(logged)
      const deliveries = taskDeliveries(logged, webhooks.listenersOf(change.after.projectId))
      if (jobs.length > 0) insert(jobs, now)
      webhooks.insertDeliveries(deliveries, now)
      return jobs.length > 0 || deliveries.length > 0
    },
    committed (jobsAdded) {
      events.appended()
      if (jobsAdded) enqueued()
    }
  }
}

/**
 * Runs a write through group commit, and tells the outbox once it has
 * committed, when it recorded changes (`record` tells it of one).
 */
export function recordingWrites (write: GroupCommit, outbox: SqliteOutbox) {
  return <T>(work: (record: (change: TaskChange) => void) => T): Promise<T> => {
    let recorded = false
    let added = false
    return write(() => work((change) => {
      recorded = true
      added = outbox.record(change) || added
    })).then((result) => {
      if (recorded) outbox.committed(added)
      return result
    })
  }
}
