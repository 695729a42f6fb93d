import { and, asc, eq, gt, inArray, isNull, lt, max, min, or, sql, type SQL } from 'drizzle-orm'
import { commitSignal } from '../commit-signal.js'
import type { EventLog, LoggedEvent } from '../event-log.js'
import type { Viewer } from '../viewer.js'
import type { NewEvent } from '../../jobs/task-events.js'
import { notification } from './notifications.js'
import { ONE_SNAPSHOT } from './one-snapshot.js'
import type { PostgresConnection, PostgresTransaction } from './postgres-database.js'
import { projectMembers, projects, taskEvents } from './schema.js'
import { inTransaction } from './transaction.js'

// Held from an append to its commit: see createPostgresEventLog.
const APPEND_LOCK = 'task-api change log'

/**
 * The change log in PostgreSQL. A sequence hands out numbers as rows are
 * inserted, not as they commit: a transaction that took 11 could commit
 * after one that took 12, and a reader that had passed 12 would never see
 * 11. So an append takes a transaction-level lock that it holds until it
 * commits: events commit in the order of their numbers, and a reader that
 * has seen one has seen every one before it.
 */
export function createPostgresEventLog (db: PostgresConnection) {
  const { notify, listen } = commitSignal()
  /** What the viewer may read: every event for an administrator; else those of their own tasks outside projects, and of their projects' tasks. */
  const readable = (tx: PostgresTransaction, viewer: Viewer): SQL | undefined => viewer.admin
    ? undefined
    : or(
      and(isNull(taskEvents.projectId), eq(taskEvents.createdBy, viewer.userId)),
      inArray(taskEvents.projectId, tx.select({ id: projectMembers.projectId }).from(projectMembers).where(eq(projectMembers.userId, viewer.userId)))
    )

  const log: EventLog = {
    async latest () {
      const [row] = await db.select({ seq: max(taskEvents.seq) }).from(taskEvents)
      return row?.seq ?? 0
    },

    async read (viewer, { after, projects: slugs, limit }) {
      return inTransaction(db, async (tx) => {
        const [bounds] = await tx.select({ oldest: min(taskEvents.seq), newest: max(taskEvents.seq) }).from(taskEvents)
        const { oldest, newest } = bounds ?? { oldest: null, newest: null }
        if (after > 0 && oldest !== null && after < oldest - 1) return { events: [], through: after, reset: true }
        const events = await tx.select({ seq: taskEvents.seq, type: taskEvents.type, body: taskEvents.body }).from(taskEvents)
          .where(and(gt(taskEvents.seq, after), readable(tx, viewer), slugs === undefined ? undefined : inArray(taskEvents.projectId, tx.select({ id: projects.id }).from(projects).where(inArray(projects.slug, [...slugs])))))
          .orderBy(asc(taskEvents.seq)).limit(limit) as LoggedEvent[]
        return { events, through: events.length < limit ? Math.max(after, newest ?? 0) : (events.at(-1) as LoggedEvent).seq, reset: false }
      }, ONE_SNAPSHOT)
    },

    async purgeBefore (before) {
      const { rowCount } = await db.delete(taskEvents)
        .where(and(lt(taskEvents.createdAt, before), lt(taskEvents.seq, sql`(SELECT max(${taskEvents.seq}) FROM ${taskEvents})`)))
      return rowCount ?? 0
    }
  }
  return {
    log,
    /**
     * Appends events inside the transaction `tx` of their change, which then
     * holds the append lock until it ends, and tells every instance once it commits.
     */
    append: async (tx: PostgresTransaction, events: readonly NewEvent[]) => {
      if (events.length === 0) return
      await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${APPEND_LOCK})), ${notification('task_events')}`)
      await tx.insert(taskEvents).values([...events])
    },
    appended: notify,
    onAppended: listen
  }
}
