import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { problemResponses } from '../../problems/problem-responses.js'
import { Task, TaskIdParams } from '../../schemas/task.js'
import { Ref } from '../../schemas/type-helpers.js'
import { taskNotFound } from './task-not-found.js'

const getTask: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get('/:task_id', {
    schema: {
      operationId: 'getTask',
      summary: 'Get a task',
      description: 'Returns one task. A soft-deleted task is not found.',
      tags: ['Tasks'],
      params: TaskIdParams,
      response: {
        200: Ref(Task, { description: 'The task.' }),
        ...problemResponses('not-found', 'validation', 'rate-limited')
      }
    }
  }, async (request) => {
    const task = await fastify.db.tasks.findById(request.params.task_id)
    if (task === undefined) throw taskNotFound(request.params.task_id)
    return task
  })
}

export default getTask
