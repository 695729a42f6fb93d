import { and, asc, count, eq, gt, isNull, sql } from 'drizzle-orm'
import type { CommentRepository } from '../comment-repository.js'
import { commentPage, toComment } from '../comment-row.js'
import { NONE, WRITE } from '../task-record.js'
import { commentEvent } from '../../jobs/task-events.js'
import type { GroupCommit } from './group-commit.js'
import type { SqliteEventOutbox } from './outbox.js'
import { taskComments, tasks, users } from './schema.js'
import type { SqliteConnection } from './sqlite-database.js'
import { taskAccess, viewing } from './task-repository.js'

const placeholder = (name: string) => sql.placeholder(name)

/**
 * Comments in SQLite. Whether the viewer may see the task, or comment on
 * it, is the task repository's own access expression; a comment goes through
 * group commit with its event, appended by the change log (`events`), and
 * this process's feeds are told once it has committed.
 */
export function createSqliteCommentRepository (db: SqliteConnection, write: GroupCommit, events: SqliteEventOutbox): CommentRepository {
  // The task, unless it is deleted or the viewer may not see it: who may read its events, and the viewer's access.
  const visibleTask = db.select({ projectId: tasks.projectId, createdBy: tasks.createdBy, access: taskAccess }).from(tasks)
    .where(and(eq(tasks.id, placeholder('id')), isNull(tasks.deletedAt), sql`${taskAccess} > ${NONE}`))
    .prepare()
  const insert = db.insert(taskComments).values({
    taskId: placeholder('taskId'),
    body: placeholder('body'),
    createdBy: placeholder('createdBy'),
    createdAt: placeholder('createdAt')
  }).returning({ id: taskComments.id }).prepare()
  // The seq the change log's append just gave its event: the last row inserted on this connection.
  const appendedSeq = db.$client.prepare('SELECT last_insert_rowid()').pluck()

  return {
    async create (viewer, taskId, body) {
      const created = await write(() => {
        const task = visibleTask.get({ ...viewing(viewer), id: taskId })
        if (task === undefined) return 'not-found'
        if (task.access !== WRITE) return 'forbidden'
        const createdAt = Date.now()
        const [{ id }] = insert.all({ taskId, body, createdBy: viewer.userId, createdAt }) as [{ id: number }]
        const comment = toComment({ id, taskId, body, author: viewer.username, createdAt })
        events.append([commentEvent(comment, task, createdAt)])
        return { comment, seq: appendedSeq.get() as number }
      })
      if (typeof created !== 'string') events.appended()
      return created
    },

    async list (viewer, taskId, { limit, offset, after }) {
      return db.transaction(() => {
        if (visibleTask.get({ ...viewing(viewer), id: taskId }) === undefined) return 'not-found'
        const filter = eq(taskComments.taskId, taskId)
        const [{ total } = { total: 0 }] = db.select({ total: count() }).from(taskComments).where(filter).all()
        const rows = db.select({ id: taskComments.id, taskId: taskComments.taskId, body: taskComments.body, author: users.username, createdAt: taskComments.createdAt })
          .from(taskComments).innerJoin(users, eq(users.id, taskComments.createdBy))
          .where(after === undefined ? filter : and(filter, gt(taskComments.id, Number(after))))
          .orderBy(asc(taskComments.id)).limit(limit + 1).offset(after === undefined ? offset : 0).all()
        return commentPage(rows, total, limit)
      }, { behavior: 'deferred' })
    }
  }
}
