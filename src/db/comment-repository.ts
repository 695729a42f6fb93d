import type { Comment } from '../schemas/comment.js'
import type { Page, PageRequest } from './page.js'
import type { Viewer } from './viewer.js'

/** A new comment, and the seq of its `comment.created` event in the change log (what a live feed acknowledges it with). */
export interface CreatedComment {
  comment: Comment
  seq: number
}

/**
 * Why a comment on a task cannot be made or read: the task does not exist,
 * is soft-deleted or is not one the viewer may see ('not-found'); or the
 * viewer sees it but is a viewer of its project ('forbidden').
 */
export type CommentRefusal = 'not-found' | 'forbidden'

/**
 * Comments on tasks. Whoever sees a task (the task repository's rules) reads
 * its comments; whoever may change it (not a project's viewers) comments on
 * it. A comment and its `comment.created` event in the change log are stored
 * in one transaction; the event is read by whoever may see the task, not
 * only by the comment's author.
 */
export interface CommentRepository {
  create (viewer: Viewer, taskId: number, body: string): Promise<CreatedComment | CommentRefusal>
  /** A task's comments, oldest first: from `page.offset`, or just after the comment whose id is `page.after`. */
  list (viewer: Viewer, taskId: number, page: PageRequest): Promise<Page<Comment> | 'not-found'>
}
