import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { problemResponses } from '../../problems/problem-responses.js'
import { TaskIdParams } from '../../schemas/task.js'
import { taskNotFound } from './task-not-found.js'

const deleteTask: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.delete('/:task_id', {
    schema: {
      operationId: 'deleteTask',
      summary: 'Delete a task',
      description: 'Soft-deletes a task: it sets `deleted_at`, and the task is then not found, and listed only with `include_deleted=true`, until it is restored. Deleting it again is a 404.',
      tags: ['Tasks'],
      params: TaskIdParams,
      response: {
        204: Type.Null({ description: 'The task was deleted.' }),
        ...problemResponses('not-found', 'validation', 'rate-limited')
      }
    }
  }, async (request, reply) => {
    const deleted = await fastify.db.tasks.softDelete(request.params.task_id)
    if (!deleted) throw taskNotFound(request.params.task_id)
    return reply.code(204).send(null)
  })
}

export default deleteTask
