import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { problemResponses } from '../../problems/problem-responses.js'
import { Task, TaskIdParams, TaskUpdate } from '../../schemas/task.js'
import { Ref } from '../../schemas/type-helpers.js'
import { trimTitle } from './trim-title.js'
import { taskNotFound } from './task-not-found.js'

const updateTask: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.patch('/:task_id', {
    preValidation: trimTitle,
    schema: {
      operationId: 'updateTask',
      summary: 'Update a task',
      description: 'Changes only the fields sent; `null` clears description or assignee. Any invalid field rejects the whole update, which then changes nothing. `updated_at` moves on every change; `{}` changes nothing.',
      tags: ['Tasks'],
      params: TaskIdParams,
      body: Ref(TaskUpdate),
      response: {
        200: Ref(Task, { description: 'The task after the update.' }),
        ...problemResponses('malformed-json', 'not-found', 'payload-too-large', 'unsupported-media-type', 'validation', 'rate-limited')
      }
    }
  }, async (request) => {
    const task = await fastify.db.tasks.update(request.params.task_id, request.body)
    if (task === undefined) throw taskNotFound(request.params.task_id)
    return task
  })
}

export default updateTask
