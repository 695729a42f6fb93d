import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { principalOf } from '../../plugins/app/authentication.js'
import { problemResponses } from '../../problems/problem-responses.js'
import { AttachmentList } from '../../schemas/attachment.js'
import { PageQuery } from '../../schemas/page.js'
import { TaskIdParams } from '../../schemas/task.js'
import { Ref } from '../../schemas/type-helpers.js'
import { keyedPageBody, keyedPageRequest, refuseCursorWithOffset } from '../paging.js'
import { taskNotFound } from './task-problems.js'

const listAttachments: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get('/:task_id/attachments', {
    config: { access: 'tasks:read' },
    preValidation: refuseCursorWithOffset,
    schema: {
      operationId: 'listAttachments',
      summary: 'List a task\'s attachments',
      description: 'The files attached to a task you can see, oldest first, a page at a time (by `offset`, or by `cursor`, each page\'s `next_cursor`). A soft-deleted task is not found, nor is one you may not see.',
      tags: ['Attachments'],
      params: TaskIdParams,
      querystring: PageQuery,
      response: {
        200: Ref(AttachmentList, {
          description: 'One page of attachments.',
          headers: { Link: Type.String({ description: 'RFC 8288 link to the next page; absent on the last page.' }) }
        }),
        ...problemResponses('bad-request', 'not-found', 'validation', 'rate-limited')
      }
    }
  }, async (request, reply) => {
    const id = request.params.task_id
    const viewer = principalOf(request)
    const list = ['attachments', id, viewer.userId]
    const page = await fastify.db.attachments.list(viewer, id, keyedPageRequest(request.query, list))
    if (page === 'not-found') throw taskNotFound(id)
    return keyedPageBody(request, reply, request.query, list, page, (attachment) => String(attachment.id))
  })
}

export default listAttachments
