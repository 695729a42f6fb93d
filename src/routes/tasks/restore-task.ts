import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { problemResponses } from '../../problems/problem-responses.js'
import { Task, TaskIdParams } from '../../schemas/task.js'
import { Ref } from '../../schemas/type-helpers.js'
import { taskNotFound } from './task-not-found.js'

const restoreTask: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post('/:task_id/restore', {
    schema: {
      operationId: 'restoreTask',
      summary: 'Restore a deleted task',
      description: 'Brings back a soft-deleted task, clearing `deleted_at`. Restoring a task that is not deleted changes nothing.',
      tags: ['Tasks'],
      params: TaskIdParams,
      response: {
        200: Ref(Task, { description: 'The restored task.' }),
        ...problemResponses('not-found', 'validation', 'rate-limited')
      }
    }
  }, async (request) => {
    const task = await fastify.db.tasks.restore(request.params.task_id)
    if (task === undefined) throw taskNotFound(request.params.task_id)
    return task
  })
}

export default restoreTask
