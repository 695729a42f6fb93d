import { and, asc, count, eq, gt, inArray, isNull, sql } from 'drizzle-orm'
import type { AttachmentRepository } from '../attachment-repository.js'
import { attachmentPage, toAttachment } from '../attachment-row.js'
import { NONE, WRITE } from '../task-record.js'
import type { GroupCommit } from './group-commit.js'
import { taskAttachments, tasks, users } from './schema.js'
import type { SqliteConnection } from './sqlite-database.js'
import { taskAccess, viewing } from './task-repository.js'

const placeholder = (name: string) => sql.placeholder(name)

/** An attachment row with its creator's username. */
const ATTACHMENT_COLUMNS = {
  id: taskAttachments.id,
  taskId: taskAttachments.taskId,
  filename: taskAttachments.filename,
  size: taskAttachments.size,
  contentType: taskAttachments.contentType,
  sha256: taskAttachments.sha256,
  creator: users.username,
  createdAt: taskAttachments.createdAt
}

/**
 * Attachments in SQLite. Whether the viewer may see the task, or change its
 * attachments, is the task repository's own access expression; writes go
 * through group commit, which runs them one after another, so the count that
 * an attachment is checked against holds until it is stored.
 */
export function createSqliteAttachmentRepository (db: SqliteConnection, write: GroupCommit): AttachmentRepository {
  // The viewer's access to the task, unless it is deleted or they may not see it.
  const visibleTask = db.select({ access: taskAccess }).from(tasks)
    .where(and(eq(tasks.id, placeholder('id')), isNull(tasks.deletedAt), sql`${taskAccess} > ${NONE}`))
    .prepare()
  // An attachment with the viewer's access to its task, on the same terms.
  const visibleAttachment = db.select({ ...ATTACHMENT_COLUMNS, access: taskAccess }).from(taskAttachments)
    .innerJoin(tasks, eq(tasks.id, taskAttachments.taskId))
    .innerJoin(users, eq(users.id, taskAttachments.createdBy))
    .where(and(eq(taskAttachments.id, placeholder('id')), isNull(tasks.deletedAt), sql`${taskAccess} > ${NONE}`))
    .prepare()
  const countOfTask = db.select({ total: count() }).from(taskAttachments).where(eq(taskAttachments.taskId, placeholder('taskId'))).prepare()
  const insert = db.insert(taskAttachments).values({
    taskId: placeholder('taskId'),
    filename: placeholder('filename'),
    size: placeholder('size'),
    contentType: placeholder('contentType'),
    sha256: placeholder('sha256'),
    createdBy: placeholder('createdBy'),
    createdAt: placeholder('createdAt')
  }).returning({ id: taskAttachments.id }).prepare()
  const remove = db.delete(taskAttachments).where(eq(taskAttachments.id, placeholder('id'))).prepare()

  return {
    async create (viewer, taskId, files, maxPerTask) {
      return write(() => {
        const task = visibleTask.get({ ...viewing(viewer), id: taskId })
        if (task === undefined) return 'not-found'
        if (task.access !== WRITE) return 'forbidden'
        const [{ total }] = countOfTask.all({ taskId }) as [{ total: number }]
        if (total + files.length > maxPerTask) return 'too-many'
        const createdAt = Date.now()
        return files.map(({ filename, size, contentType, sha256 }) => {
          const [{ id }] = insert.all({ taskId, filename, size, contentType, sha256, createdBy: viewer.userId, createdAt }) as [{ id: number }]
          return toAttachment({ id, taskId, filename, size, contentType, sha256, creator: viewer.username, createdAt })
        })
      })
    },

    async room (viewer, taskId, maxPerTask) {
      return db.transaction(() => {
        const task = visibleTask.get({ ...viewing(viewer), id: taskId })
        if (task === undefined) return 'not-found'
        if (task.access !== WRITE) return 'forbidden'
        const [{ total }] = countOfTask.all({ taskId }) as [{ total: number }]
        return Math.max(0, maxPerTask - total)
      }, { behavior: 'deferred' })
    },

    async list (viewer, taskId, { limit, offset, after }) {
      return db.transaction(() => {
        if (visibleTask.get({ ...viewing(viewer), id: taskId }) === undefined) return 'not-found'
        const [{ total }] = countOfTask.all({ taskId }) as [{ total: number }]
        const filter = eq(taskAttachments.taskId, taskId)
        const rows = db.select(ATTACHMENT_COLUMNS).from(taskAttachments).innerJoin(users, eq(users.id, taskAttachments.createdBy))
          .where(after === undefined ? filter : and(filter, gt(taskAttachments.id, Number(after))))
          .orderBy(asc(taskAttachments.id)).limit(limit + 1).offset(after === undefined ? offset : 0).all()
        return attachmentPage(rows, total, limit)
      }, { behavior: 'deferred' })
    },

    async find (viewer, id) {
      const row = visibleAttachment.get({ ...viewing(viewer), id })
      return row === undefined ? undefined : toAttachment(row)
    },

    async delete (viewer, id) {
      return write(() => {
        const row = visibleAttachment.get({ ...viewing(viewer), id })
        if (row === undefined) return 'not-found'
        if (row.access !== WRITE) return 'forbidden'
        remove.run({ id })
        return toAttachment(row)
      })
    },

    async referenced (sha256s) {
      const rows = db.selectDistinct({ sha256: taskAttachments.sha256 }).from(taskAttachments).where(inArray(taskAttachments.sha256, [...sha256s])).all()
      return new Set(rows.map(({ sha256 }) => sha256))
    }
  }
}
