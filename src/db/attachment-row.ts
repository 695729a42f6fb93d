import type { Attachment } from '../schemas/attachment.js'
import { isoTimestamp } from './iso-timestamp.js'

/** An attachment row as both databases answer it, with its creator's username. */
export interface AttachmentRow {
  id: number
  taskId: number
  filename: string
  size: number
  contentType: string
  sha256: string
  creator: string
  createdAt: number
}

/** Where an attachment's content is downloaded. */
export const attachmentContentPath = (id: number) => `/attachments/${id}/content`

export function toAttachment ({ id, taskId, filename, size, contentType, sha256, creator, createdAt }: AttachmentRow): Attachment {
  return { id, task_id: taskId, filename, size, content_type: contentType, sha256, created_by: creator, created_at: isoTimestamp(createdAt), url: attachmentContentPath(id) }
}

/** A page of attachments from the rows read for it: one more than the page when another page follows. */
export function attachmentPage (rows: readonly AttachmentRow[], total: number, limit: number) {
  return { items: rows.slice(0, limit).map(toAttachment), total, hasMore: rows.length > limit }
}
