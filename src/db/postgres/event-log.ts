import { and, asc, eq, gt, inArray, isNull, lt, max, min, or, sql, type SQL } from 'drizzle-orm'
import { byProject } from '../by-project.js'
import { commitSignal } from '../commit-signal.js'
import { projectIdsOf, type EventLog, type LoggedEvent, type SharedEvent } from '../event-log.js'
import type { Viewer } from '../viewer.js'
import type { NewEvent } from '../../jobs/task-events.js'
import { notification } from './notifications.js'
import { ONE_SNAPSHOT } from './one-snapshot.js'
import type { PostgresConnection, PostgresTransaction } from './postgres-database.js'
import { projectMembers, taskEvents } from './schema.js'
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

  /** A page of the log after `after` (read by `events`, at most `limit`), or a reset when events after it were forgotten; inside the read's transaction `tx`. */
  const page = async <Event extends LoggedEvent>(tx: PostgresTransaction, after: number, limit: number, events: () => Promise<Event[]>) => {
    const [bounds] = await tx.select({ oldest: min(taskEvents.seq), newest: max(taskEvents.seq) }).from(taskEvents)
    const { oldest, newest } = bounds ?? { oldest: null, newest: null }
    if (after > 0 && oldest !== null && after < oldest - 1) return { events: [], through: after, reset: true }
    const found = await events()
    return { events: found, through: found.length < limit ? Math.max(after, newest ?? 0) : (found.at(-1) as Event).seq, reset: false }
  }

  const log: EventLog = {
    async latest () {
      const [row] = await db.select({ seq: max(taskEvents.seq) }).from(taskEvents)
      return row?.seq ?? 0
    },

    async read (viewer, { after, projectIds, limit }) {
      return inTransaction(db, async (tx) => page(tx, after, limit, async () => await tx.select({ seq: taskEvents.seq, type: taskEvents.type, body: taskEvents.body }).from(taskEvents)
        .where(and(gt(taskEvents.seq, after), readable(tx, viewer), projectIds === undefined ? undefined : inArray(taskEvents.projectId, [...projectIds])))
        .orderBy(asc(taskEvents.seq)).limit(limit) as LoggedEvent[]), ONE_SNAPSHOT)
    },

    async readWithReaders ({ after, limit }) {
      return inTransaction(db, async (tx) => {
        const read = await page(tx, after, limit, async () => await tx.select({ seq: taskEvents.seq, type: taskEvents.type, body: taskEvents.body, projectId: taskEvents.projectId, createdBy: taskEvents.createdBy })
          .from(taskEvents)
          .where(gt(taskEvents.seq, after)).orderBy(asc(taskEvents.seq)).limit(limit) as SharedEvent[])
        const ids = projectIdsOf(read.events)
        const rows = ids.length === 0 ? [] : await tx.select({ projectId: projectMembers.projectId, userId: projectMembers.userId }).from(projectMembers).where(inArray(projectMembers.projectId, ids))
        return { ...read, members: byProject(rows, ({ userId }) => userId) }
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
