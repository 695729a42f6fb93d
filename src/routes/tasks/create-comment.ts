import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { principalOf } from '../../plugins/app/authentication.js'
import { problemResponses } from '../../problems/problem-responses.js'
import { Comment, CommentCreate } from '../../schemas/comment.js'
import { TaskIdParams } from '../../schemas/task.js'
import { Ref } from '../../schemas/type-helpers.js'
import { trimFields } from '../trim-fields.js'
import { refusalProblem } from './task-problems.js'

const createComment: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post('/:task_id/comments', {
    config: { access: 'tasks:write' },
    preValidation: trimFields('body'),
    schema: {
      operationId: 'createComment',
      summary: 'Comment on a task',
      description: 'Adds a comment to a task you may change (a viewer of its project may read its comments but not add one); you are its author. Whoever may see the task gets it on the live feeds as a `comment.created` event; webhooks are not sent comments. A field this API does not know is rejected, not ignored.',
      tags: ['Tasks'],
      params: TaskIdParams,
      body: Ref(CommentCreate),
      response: {
        201: Ref(Comment, { description: 'The comment as stored.' }),
        ...problemResponses('malformed-json', 'forbidden', 'not-found', 'payload-too-large', 'unsupported-media-type', 'validation', 'rate-limited')
      }
    }
  }, async (request, reply) => {
    const id = request.params.task_id
    const created = await fastify.db.comments.create(principalOf(request), id, request.body.body)
    if (typeof created === 'string') throw refusalProblem(created, id)
    return reply.code(201).send(created.comment)
  })
}

export default createComment
