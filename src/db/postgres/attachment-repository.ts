import { and, asc, count, eq, gt, inArray, isNull, sql } from 'drizzle-orm'
import type { AttachmentRepository } from '../attachment-repository.js'
import { attachmentPage, toAttachment } from '../attachment-row.js'
import { NONE, WRITE } from '../task-record.js'
import type { Viewer } from '../viewer.js'
import { ONE_SNAPSHOT } from './one-snapshot.js'
import type { PostgresConnection, PostgresTransaction } from './postgres-database.js'
import { taskAttachments, tasks, users } from './schema.js'
import { taskAccess } from './task-repository.js'
import { inTransaction } from './transaction.js'

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

type Query = PostgresConnection | PostgresTransaction

/** How many attachments the task has. */
async function countOfTask (tx: PostgresTransaction, taskId: number): Promise<number> {
  const [{ total }] = await tx.select({ total: count() }).from(taskAttachments).where(eq(taskAttachments.taskId, taskId)) as [{ total: number }]
  return total
}

/**
 * Attachments in PostgreSQL. Whether the viewer may see the task, or change
 * its attachments, is the task repository's own access expression. A new
 * attachment is counted against the limit while its task's row is locked
 * (FOR NO KEY UPDATE): another instance attaching a file to the same task
 * waits for this transaction to end, so two cannot both find room for the
 * last one; and the task is not deleted or moved to another project meanwhile.
 */
export function createPostgresAttachmentRepository (db: PostgresConnection): AttachmentRepository {
  /** The viewer's access to the task, unless it is deleted or they may not see it. */
  const visibleTask = (tx: PostgresTransaction, viewer: Viewer, taskId: number) => {
    const access = taskAccess(viewer)
    return tx.select({ access }).from(tasks)
      .where(and(eq(tasks.id, taskId), isNull(tasks.deletedAt), sql`${access} > ${sql.raw(String(NONE))}`))
  }
  /** An attachment with the viewer's access to its task, on the same terms. */
  const visibleAttachment = (tx: Query, viewer: Viewer, id: number) => {
    const access = taskAccess(viewer)
    return tx.select({ ...ATTACHMENT_COLUMNS, access }).from(taskAttachments)
      .innerJoin(tasks, eq(tasks.id, taskAttachments.taskId))
      .innerJoin(users, eq(users.id, taskAttachments.createdBy))
      .where(and(eq(taskAttachments.id, id), isNull(tasks.deletedAt), sql`${access} > ${sql.raw(String(NONE))}`))
  }

  return {
    async create (viewer, taskId, files, maxPerTask) {
      return inTransaction(db, async (tx) => {
        const [task] = await visibleTask(tx, viewer, taskId).for('no key update', { of: tasks })
        if (task === undefined) return 'not-found'
        if (task.access !== WRITE) return 'forbidden'
        if (await countOfTask(tx, taskId) + files.length > maxPerTask) return 'too-many'
        // An insert needs a row: of no files, there is nothing to store.
        if (files.length === 0) return []
        const createdAt = Date.now()
        const rows = await tx.insert(taskAttachments)
          .values(files.map(({ filename, size, contentType, sha256 }) => ({ taskId, filename, size, contentType, sha256, createdBy: viewer.userId, createdAt })))
          .returning({ id: taskAttachments.id, filename: taskAttachments.filename, size: taskAttachments.size, contentType: taskAttachments.contentType, sha256: taskAttachments.sha256 })
        // RETURNING promises no order: each row brings back its own file, and ids are taken as the rows are inserted.
        return rows.sort((a, b) => a.id - b.id).map((row) => toAttachment({ ...row, taskId, creator: viewer.username, createdAt }))
      })
    },

    async room (viewer, taskId, maxPerTask) {
      return inTransaction(db, async (tx) => {
        const [task] = await visibleTask(tx, viewer, taskId)
        if (task === undefined) return 'not-found'
        if (task.access !== WRITE) return 'forbidden'
        return Math.max(0, maxPerTask - await countOfTask(tx, taskId))
      }, ONE_SNAPSHOT)
    },

    async list (viewer, taskId, { limit, offset, after }) {
      return inTransaction(db, async (tx) => {
        const [task] = await visibleTask(tx, viewer, taskId)
        if (task === undefined) return 'not-found'
        const total = await countOfTask(tx, taskId)
        const filter = eq(taskAttachments.taskId, taskId)
        const rows = await tx.select(ATTACHMENT_COLUMNS).from(taskAttachments).innerJoin(users, eq(users.id, taskAttachments.createdBy))
          .where(after === undefined ? filter : and(filter, gt(taskAttachments.id, Number(after))))
          .orderBy(asc(taskAttachments.id)).limit(limit + 1).offset(after === undefined ? offset : 0)
        return attachmentPage(rows, total, limit)
      }, ONE_SNAPSHOT)
    },

    async find (viewer, id) {
      const [row] = await visibleAttachment(db, viewer, id)
      return row === undefined ? undefined : toAttachment(row)
    },

    async delete (viewer, id) {
      return inTransaction(db, async (tx) => {
        // Both rows are held until the removal commits: the task is not deleted
        // or moved to another project meanwhile, and of two removals at once
        // the second waits for the first, then finds the attachment gone.
        const [row] = await visibleAttachment(tx, viewer, id).for('no key update', { of: [taskAttachments, tasks] })
        if (row === undefined) return 'not-found'
        if (row.access !== WRITE) return 'forbidden'
        await tx.delete(taskAttachments).where(eq(taskAttachments.id, id))
        return toAttachment(row)
      })
    },

    async referenced (sha256s) {
      const rows = await db.selectDistinct({ sha256: taskAttachments.sha256 }).from(taskAttachments).where(inArray(taskAttachments.sha256, [...sha256s]))
      return new Set(rows.map(({ sha256 }) => sha256))
    }
  }
}
