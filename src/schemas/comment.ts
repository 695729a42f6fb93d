import { Type, type Static } from '@sinclair/typebox'
import { Page } from './page.js'
import { TaskId } from './task.js'
import { NO_NUL_OR_LONE_SURROGATE } from './text-patterns.js'
import { Timestamp } from './timestamp.js'
import { Ref } from './type-helpers.js'
import { Username } from './user.js'

export const COMMENT_BODY_MAX_LENGTH = 5000

const CommentBody = Type.String({
  minLength: 1,
  maxLength: COMMENT_BODY_MAX_LENGTH,
  pattern: NO_NUL_OR_LONE_SURROGATE,
  description: `1-${COMMENT_BODY_MAX_LENGTH} characters of plain text; surrounding whitespace is trimmed before it is checked and stored. No NUL (U+0000), no unpaired surrogate.`
})

export const Comment = Type.Object({
  id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'The comment\'s id: comments of one task are listed in its order.' }),
  task_id: { ...TaskId, description: 'The task it is a comment on.' },
  body: CommentBody,
  author: { ...Username, description: 'The username of who wrote it.' },
  created_at: Timestamp
}, { $id: 'Comment', title: 'Comment', additionalProperties: false })
export type Comment = Static<typeof Comment>

export const CommentCreate = Type.Object({
  body: CommentBody
}, {
  $id: 'CommentCreate',
  title: 'CommentCreate',
  description: 'A new comment. Fields not listed here are rejected.',
  additionalProperties: false
})
export type CommentCreate = Static<typeof CommentCreate>

export const CommentList = Page(Ref(Comment), { $id: 'CommentList', description: 'One page of a task\'s comments, oldest first.' })
export type CommentList = Static<typeof CommentList>
