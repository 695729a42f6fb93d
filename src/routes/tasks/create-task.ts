import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { problemResponses } from '../../problems/problem-responses.js'
import { Task, TaskCreate } from '../../schemas/task.js'
import { Ref } from '../../schemas/type-helpers.js'
import { trimTitle } from './trim-title.js'

const createTask: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post('/', {
    preValidation: trimTitle,
    schema: {
      operationId: 'createTask',
      summary: 'Create a task',
      description: 'Creates a task from a title and, optionally, a description, status, priority and assignee. Answers 201 with the task and its URL in the Location header. A field this API does not know is rejected, not ignored.',
      tags: ['Tasks'],
      body: Ref(TaskCreate),
      response: {
        201: Ref(Task, { description: 'The task as created; the Location header holds its URL.' }),
        ...problemResponses('malformed-json', 'payload-too-large', 'unsupported-media-type', 'validation', 'rate-limited')
      }
    }
  }, async (request, reply) => {
    const task = await fastify.db.tasks.create(request.body)
    return reply.code(201).header('location', `/tasks/${task.id}`).send(task)
  })
}

export default createTask
