import { and, asc, eq, gt, inArray, isNull, lt, max, min, or, sql, type SQL } from 'drizzle-orm'
import { byProject } from '../by-project.js'
import { commitSignal } from '../commit-signal.js'
import { projectIdsOf, type EventLog, type LoggedEvent, type SharedEvent } from '../event-log.js'
import type { Viewer } from '../viewer.js'
import type { NewEvent } from '../../jobs/task-events.js'
import type { GroupCommit } from './group-commit.js'
import { projectMembers, taskEvents } from './schema.js'
import type { SqliteConnection } from './sqlite-database.js'

/**
 * The change log in SQLite. One writer at a time commits, so events are
 * numbered in the order they commit; `append` runs inside the transaction
 * of the change.
 */
export function createSqliteEventLog (db: SqliteConnection, write: GroupCommit) {
  const { notify, listen } = commitSignal()
  const insert = db.insert(taskEvents).values({
    type: sql.placeholder('type'),
    taskId: sql.placeholder('taskId'),
    projectId: sql.placeholder('projectId'),
    createdBy: sql.placeholder('createdBy'),
    body: sql.placeholder('body'),
    createdAt: sql.placeholder('createdAt')
  }).prepare()
  /** What the viewer may read: every event for an administrator; else those of their own tasks outside projects, and of their projects' tasks. */
  const readable = (viewer: Viewer): SQL | undefined => viewer.admin
    ? undefined
    : or(
      and(isNull(taskEvents.projectId), eq(taskEvents.createdBy, viewer.userId)),
      inArray(taskEvents.projectId, db.select({ id: projectMembers.projectId }).from(projectMembers).where(eq(projectMembers.userId, viewer.userId)))
    )

  /** A page of the log after `after` (read by `events`, at most `limit`), or a reset when events after it were forgotten; inside a read transaction. */
  const page = <Event extends LoggedEvent>(after: number, limit: number, events: () => Event[]) => {
    const { oldest, newest } = db.select({ oldest: min(taskEvents.seq), newest: max(taskEvents.seq) }).from(taskEvents).get() ?? { oldest: null, newest: null }
    if (after > 0 && oldest !== null && after < oldest - 1) return { events: [], through: after, reset: true }
    const found = events()
    return { events: found, through: found.length < limit ? Math.max(after, newest ?? 0) : (found.at(-1) as Event).seq, reset: false }
  }

  const log: EventLog = {
    async latest () {
      return db.select({ seq: max(taskEvents.seq) }).from(taskEvents).get()?.seq ?? 0
    },

    async read (viewer, { after, projectIds, limit }) {
      return db.transaction(() => page(after, limit, () => db.select({ seq: taskEvents.seq, type: taskEvents.type, body: taskEvents.body }).from(taskEvents)
        .where(and(gt(taskEvents.seq, after), readable(viewer), projectIds === undefined ? undefined : inArray(taskEvents.projectId, [...projectIds])))
        .orderBy(asc(taskEvents.seq)).limit(limit).all() as LoggedEvent[]), { behavior: 'deferred' })
    },

    async readWithReaders ({ after, limit }) {
      return db.transaction(() => {
        const read = page(after, limit, () => db.select({ seq: taskEvents.seq, type: taskEvents.type, body: taskEvents.body, projectId: taskEvents.projectId, createdBy: taskEvents.createdBy })
          .from(taskEvents)
          .where(gt(taskEvents.seq, after)).orderBy(asc(taskEvents.seq)).limit(limit).all() as SharedEvent[])
        const ids = projectIdsOf(read.events)
        const rows = ids.length === 0 ? [] : db.select({ projectId: projectMembers.projectId, userId: projectMembers.userId }).from(projectMembers).where(inArray(projectMembers.projectId, ids)).all()
        return { ...read, members: byProject(rows, ({ userId }) => userId) }
      }, { behavior: 'deferred' })
    },

    async purgeBefore (before) {
      return write(() => db.delete(taskEvents)
        .where(and(lt(taskEvents.createdAt, before), lt(taskEvents.seq, sql`(SELECT max(${taskEvents.seq}) FROM ${taskEvents})`))).run().changes)
    }
  }
  return {
    log,
    /** Appends events; call inside the write transaction of their change. */
    append: (events: readonly NewEvent[]) => {
      for (const event of events) insert.run({ ...event })
    },
    appended: notify,
    onAppended: listen
  }
}
