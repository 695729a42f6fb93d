import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { idempotencyKeyHeader, replayedResponseHeader } from '../../plugins/app/idempotency.js'
import { principalOf } from '../../plugins/app/authentication.js'
import { problemResponses } from '../../problems/problem-responses.js'
import { TaskIdParams } from '../../schemas/task.js'
import { ifMatchHeader, ifMatchPrecondition, requireIfMatch, TaskResponse } from './conditional-requests.js'
import { refusalProblem } from './task-problems.js'
import type { TaskRouteOptions } from './task-route-options.js'

const completeTask: FastifyPluginAsyncTypebox<TaskRouteOptions> = async (fastify, { requireIfMatch: required }) => {
  fastify.post('/:task_id/complete', {
    config: { access: 'tasks:write' },
    ...(required ? { preHandler: requireIfMatch } : {}),
    schema: {
      operationId: 'completeTask',
      summary: 'Complete a task',
      description: 'Marks a task `done` and answers at once; the email to its `notify_email` is sent afterwards by the job queue (see GET /admin/jobs). Completing a task that is already done changes nothing and sends nothing. With If-Match, it happens only if the task is still at that ETag (412 otherwise). Honours Idempotency-Key like a create.',
      tags: ['Tasks'],
      params: TaskIdParams,
      headers: Type.Object({ ...ifMatchHeader, ...idempotencyKeyHeader }),
      response: {
        200: TaskResponse('The task, done (or, for a repeated Idempotency-Key, the first response again).', replayedResponseHeader),
        ...problemResponses('malformed-json', 'forbidden', 'not-found', 'idempotency-key-in-use', 'precondition-failed', 'payload-too-large', 'unsupported-media-type', 'validation', 'idempotency-key-reused', 'precondition-required', 'rate-limited')
      }
    }
  }, async (request, reply) => fastify.idempotency.respond(request, reply, { status: 200 }, async (respond) => {
    const id = request.params.task_id
    const result = await fastify.db.tasks.update(principalOf(request), id, { status: 'done' }, { precondition: ifMatchPrecondition(request), respond })
    if (typeof result === 'string') throw refusalProblem(result, id)
    return result
  }))
}

export default completeTask
