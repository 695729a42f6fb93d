import { and, asc, count, eq, getTableName, gt, isNull, sql } from 'drizzle-orm'
import type { CommentRepository } from '../comment-repository.js'
import { commentPage, toComment } from '../comment-row.js'
import { NONE, WRITE } from '../task-record.js'
import type { Viewer } from '../viewer.js'
import { commentEvent } from '../../jobs/task-events.js'
import { ONE_SNAPSHOT } from './one-snapshot.js'
import type { PostgresEventOutbox } from './outbox.js'
import type { PostgresConnection, PostgresTransaction } from './postgres-database.js'
import { taskComments, taskEvents, tasks, users } from './schema.js'
import { taskAccess } from './task-repository.js'
import { inTransaction } from './transaction.js'

// The seq the change log's append just gave its event: its identity's last value in this session.
const APPENDED_SEQ = sql`SELECT currval(pg_get_serial_sequence(${getTableName(taskEvents)}, ${taskEvents.seq.name})) AS seq`

/**
 * Comments in PostgreSQL. Whether the viewer may see the task, or comment on
 * it, is the task repository's own access expression; a comment and its
 * event, appended by the change log (`events`, which takes its append lock),
 * are one transaction, and this process's feeds are told once it has committed.
 */
export function createPostgresCommentRepository (db: PostgresConnection, events: PostgresEventOutbox): CommentRepository {
  /** The task, unless it is deleted or the viewer may not see it: who may read its events, and the viewer's access. */
  const visibleTask = (tx: PostgresTransaction, viewer: Viewer, taskId: number) => {
    const access = taskAccess(viewer)
    return tx.select({ projectId: tasks.projectId, createdBy: tasks.createdBy, access }).from(tasks)
      .where(and(eq(tasks.id, taskId), isNull(tasks.deletedAt), sql`${access} > ${sql.raw(String(NONE))}`))
  }

  return {
    async create (viewer, taskId, body) {
      const created = await inTransaction(db, async (tx) => {
        // Held until the comment commits: the task is not deleted or moved to another project meanwhile.
        const [task] = await visibleTask(tx, viewer, taskId).for('share', { of: tasks })
        if (task === undefined) return 'not-found'
        if (task.access !== WRITE) return 'forbidden'
        const createdAt = Date.now()
        const [{ id }] = await tx.insert(taskComments).values({ taskId, body, createdBy: viewer.userId, createdAt }).returning({ id: taskComments.id }) as [{ id: number }]
        const comment = toComment({ id, taskId, body, author: viewer.username, createdAt })
        await events.append(tx, [commentEvent(comment, task, createdAt)])
        const { rows: [appended] } = await tx.execute<{ seq: string }>(APPENDED_SEQ)
        return { comment, seq: Number(appended?.seq) }
      })
      if (typeof created !== 'string') events.appended()
      return created
    },

    async list (viewer, taskId, { limit, offset, after }) {
      return inTransaction(db, async (tx) => {
        const [task] = await visibleTask(tx, viewer, taskId)
        if (task === undefined) return 'not-found'
        const filter = eq(taskComments.taskId, taskId)
        const [{ total } = { total: 0 }] = await tx.select({ total: count() }).from(taskComments).where(filter)
        const rows = await tx.select({ id: taskComments.id, taskId: taskComments.taskId, body: taskComments.body, author: users.username, createdAt: taskComments.createdAt })
          .from(taskComments).innerJoin(users, eq(users.id, taskComments.createdBy))
          .where(after === undefined ? filter : and(filter, gt(taskComments.id, Number(after))))
          .orderBy(asc(taskComments.id)).limit(limit + 1).offset(after === undefined ? offset : 0)
        return commentPage(rows, total, limit)
      }, ONE_SNAPSHOT)
    }
  }
}
