import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { idempotencyKeyHeader, replayedResponseHeader } from '../../plugins/app/idempotency.js'
import { principalOf } from '../../plugins/app/authentication.js'
import { problemResponses } from '../../problems/problem-responses.js'
import { TaskIdParams } from '../../schemas/task.js'
import { ifMatchHeader, ifMatchPrecondition, requireIfMatch, TaskResponse } from './conditional-requests.js'
import { refusalProblem } from './task-problems.js'
import type { TaskRouteOptions } from './task-route-options.js'

const restoreTask: FastifyPluginAsyncTypebox<TaskRouteOptions> = async (fastify, { requireIfMatch: required }) => {
  fastify.post('/:task_id/restore', {
    config: { access: 'tasks:write' },
    ...(required ? { preHandler: requireIfMatch } : {}),
    schema: {
      operationId: 'restoreTask',
      summary: 'Restore a deleted task',
      description: 'Brings back a soft-deleted task, clearing `deleted_at` and moving `version`. Restoring a task that is not deleted changes nothing. With If-Match, the restore happens only if the task is still at that ETag (412 otherwise); a deleted task\'s ETag is `"{id}-{version}"` from a list with `include_deleted=true`. Honours Idempotency-Key like a create.',
      tags: ['Tasks'],
      params: TaskIdParams,
      headers: Type.Object({ ...ifMatchHeader, ...idempotencyKeyHeader }),
      response: {
        200: TaskResponse('The restored task (or, for a repeated Idempotency-Key, the first response again).', replayedResponseHeader),
        ...problemResponses('malformed-json', 'forbidden', 'not-found', 'idempotency-key-in-use', 'precondition-failed', 'payload-too-large', 'unsupported-media-type', 'validation', 'idempotency-key-reused', 'precondition-required', 'rate-limited')
      }
    }
  }, async (request, reply) => fastify.idempotency.respond(request, reply, { status: 200 }, async (respond) => {
    const id = request.params.task_id
    const result = await fastify.db.tasks.restore(principalOf(request), id, { precondition: ifMatchPrecondition(request), respond })
    if (typeof result === 'string') throw refusalProblem(result, id)
    return result
  }))
}

export default restoreTask
