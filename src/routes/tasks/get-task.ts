import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { principalOf } from '../../plugins/app/authentication.js'
import { problemResponses } from '../../problems/problem-responses.js'
import { TaskIdParams } from '../../schemas/task.js'
import { entityTag, ifNoneMatchHeader, noneMatchFails, sendTask, setTaskHeaders, TaskResponse, taskResponseHeaders } from './conditional-requests.js'
import { taskNotFound } from './task-problems.js'

const getTask: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get('/:task_id', {
    config: { access: 'tasks:read' },
    schema: {
      operationId: 'getTask',
      summary: 'Get a task',
      description: 'Returns one task with its ETag. With If-None-Match holding that ETag the answer is 304 with no body: the copy the client has is current. A soft-deleted task is not found, nor is one you may not see.',
      tags: ['Tasks'],
      params: TaskIdParams,
      headers: Type.Object(ifNoneMatchHeader),
      response: {
        200: TaskResponse('The task.'),
        // No body at all: typed as undefined so that none is sent, not even `null`.
        304: Type.Unsafe<undefined>(Type.Null({ description: 'Not modified: the ETag in If-None-Match is current.', headers: taskResponseHeaders })),
        ...problemResponses('bad-request', 'not-found', 'validation', 'rate-limited')
      }
    }
  }, async (request, reply) => {
    const task = await fastify.db.tasks.findById(principalOf(request), request.params.task_id)
    if (task === undefined) throw taskNotFound(request.params.task_id)
    if (noneMatchFails(request, task)) {
      setTaskHeaders(reply, entityTag(task))
      return reply.code(304).send()
    }
    return sendTask(reply, task)
  })
}

export default getTask
