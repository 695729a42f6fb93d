import { and, eq, isNotNull, or, sql } from 'drizzle-orm'
import type { NewJob } from '../job-repository.js'
import { newAssignee, type TaskChange } from '../../jobs/task-change.js'
import { notificationJobs } from '../../jobs/task-notification.js'
import { taskDeliveries, type NewDelivery } from '../../webhooks/task-deliveries.js'
import type { PostgresTransaction } from './postgres-database.js'
import { projectMembers, users } from './schema.js'

/** Where the webhooks that hear of a change are found, and their deliveries added (see the webhook repository). */
export interface PostgresWebhookOutbox {
  listenersOf (tx: PostgresTransaction, projectId: number | null): Promise<Array<{ id: number, events: string }>>
  insertDeliveries (tx: PostgresTransaction, deliveries: readonly NewDelivery[], now: number): Promise<unknown[]>
}

/** The jobs of task changes (emails, webhook deliveries), written in the transaction of each change. */
export interface PostgresOutbox {
  /** Adds the jobs `change` causes inside its transaction `tx`. Answers whether it added any. */
  record (tx: PostgresTransaction, change: TaskChange): Promise<boolean>
  /** Call once a write that added jobs has committed: wakes this process's worker. */
  enqueued (): void
}

export function createPostgresOutbox (insert: (tx: PostgresTransaction, jobs: readonly NewJob[], now: number) => Promise<unknown>, webhooks: PostgresWebhookOutbox, enqueued: () => void): PostgresOutbox {
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
      const deliveries = taskDeliveries(change, await webhooks.listenersOf(tx, change.after.projectId))
      const now = Date.now()
      if (jobs.length > 0) await insert(tx, jobs, now)
      await webhooks.insertDeliveries(tx, deliveries, now)
      return jobs.length > 0 || deliveries.length > 0
    },
    enqueued
  }
}
