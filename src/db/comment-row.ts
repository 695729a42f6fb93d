import type { Comment } from '../schemas/comment.js'
import { isoTimestamp } from './iso-timestamp.js'

/** A comment row as both databases answer it, with its author's username. */
export interface CommentRow {
  id: number
  taskId: number
  body: string
  author: string
  createdAt: number
}

export function toComment ({ id, taskId, body, author, createdAt }: CommentRow): Comment {
  return { id, task_id: taskId, body, author, created_at: isoTimestamp(createdAt) }
}

/** A page of comments from the rows read for it: one more than the page when another page follows. */
export function commentPage (rows: readonly CommentRow[], total: number, limit: number) {
  return { items: rows.slice(0, limit).map(toComment), total, hasMore: rows.length > limit }
}
