import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { principalOf } from '../../plugins/app/authentication.js'
import { problemResponses } from '../../problems/problem-responses.js'
import { CommentList } from '../../schemas/comment.js'
import { PageQuery } from '../../schemas/page.js'
import { TaskIdParams } from '../../schemas/task.js'
import { Ref } from '../../schemas/type-helpers.js'
import { keyedPageBody, keyedPageRequest, refuseCursorWithOffset } from '../paging.js'
import { taskNotFound } from './task-problems.js'

const listComments: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get('/:task_id/comments', {
    config: { access: 'tasks:read' },
    preValidation: refuseCursorWithOffset,
    schema: {
      operationId: 'listComments',
      summary: 'List a task\'s comments',
      description: 'The comments of a task you can see, oldest first, a page at a time (by `offset`, or by `cursor`, each page\'s `next_cursor`). A soft-deleted task is not found, nor is one you may not see.',
      tags: ['Tasks'],
      params: TaskIdParams,
      querystring: PageQuery,
      response: {
        200: Ref(CommentList, {
          description: 'One page of comments.',
          headers: { Link: Type.String({ description: 'RFC 8288 link to the next page; absent on the last page.' }) }
        }),
        ...problemResponses('bad-request', 'not-found', 'validation', 'rate-limited')
      }
    }
  }, async (request, reply) => {
    const id = request.params.task_id
    const viewer = principalOf(request)
    const list = ['comments', id, viewer.userId]
    const page = await fastify.db.comments.list(viewer, id, keyedPageRequest(request.query, list))
    if (page === 'not-found') throw taskNotFound(id)
    return keyedPageBody(request, reply, request.query, list, page, (comment) => String(comment.id))
  })
}

export default listComments
