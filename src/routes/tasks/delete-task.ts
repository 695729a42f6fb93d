import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { principalOf } from '../../plugins/app/authentication.js'
import { problemResponses } from '../../problems/problem-responses.js'
import { TaskIdParams } from '../../schemas/task.js'
import { ifMatchHeader, ifMatchPrecondition, requireIfMatch } from './conditional-requests.js'
import { refusalProblem } from './task-problems.js'
import type { TaskRouteOptions } from './task-route-options.js'

const deleteTask: FastifyPluginAsyncTypebox<TaskRouteOptions> = async (fastify, { requireIfMatch: required }) => {
  fastify.delete('/:task_id', {
    config: { access: 'tasks:write' },
    ...(required ? { preHandler: requireIfMatch } : {}),
    schema: {
      operationId: 'deleteTask',
      summary: 'Delete a task',
      description: 'Soft-deletes a task: it sets `deleted_at` and moves `version`, and the task is then not found, and listed only with `include_deleted=true`, until it is restored. Deleting it again is a 404. With If-Match, the delete happens only if the task is still at that ETag (412 otherwise).',
      tags: ['Tasks'],
      params: TaskIdParams,
      headers: Type.Object(ifMatchHeader),
      response: {
        204: Type.Null({ description: 'The task was deleted.' }),
        ...problemResponses('malformed-json', 'forbidden', 'not-found', 'precondition-failed', 'payload-too-large', 'unsupported-media-type', 'validation', 'precondition-required', 'rate-limited')
      }
    }
  }, async (request, reply) => {
    const id = request.params.task_id
    const result = await fastify.db.tasks.softDelete(principalOf(request), id, { precondition: ifMatchPrecondition(request) })
    if (typeof result === 'string') throw refusalProblem(result, id)
    return reply.code(204).send(null)
  })
}

export default deleteTask
