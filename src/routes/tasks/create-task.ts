import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { principalOf } from '../../plugins/app/authentication.js'
import { idempotencyKeyHeader, replayedResponseHeader } from '../../plugins/app/idempotency.js'
import { problemResponses } from '../../problems/problem-responses.js'
import { TaskCreate } from '../../schemas/task.js'
import { Ref } from '../../schemas/type-helpers.js'
import { TaskResponse } from './conditional-requests.js'
import { refuseUnreadableDueAt } from './due-time.js'
import { refusalProblem } from './task-problems.js'
import { taskLocation } from './task-location.js'
import { trimFields } from '../trim-fields.js'


const createTask: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post('/', {
    config: { access: 'tasks:write' },
    preValidation: trimFields('title'),
    schema: {
      operationId: 'createTask',
      summary: 'Create a task',
      description: 'Creates a task from a title and, optionally, a description, status, priority, assignee, due time, location and project (you need editor rights in it). You are its creator. Answers 201 with the task and its URL in the Location header. A field this API does not know is rejected, not ignored. Send an Idempotency-Key to retry safely: a repeat gets the first response again and creates nothing.',
      tags: ['Tasks'],
      headers: Type.Object(idempotencyKeyHeader),
      body: Ref(TaskCreate),
      response: {
        201: TaskResponse('The task as created (or, for a repeated Idempotency-Key, the first response again).', {
          Location: Type.String({ description: 'The URL of the new task.' }),
          ...replayedResponseHeader
        }),
        ...problemResponses('malformed-json', 'forbidden', 'idempotency-key-in-use', 'payload-too-large', 'unsupported-media-type', 'validation', 'idempotency-key-reused', 'rate-limited')
      }
    }
  }, async (request, reply) => fastify.idempotency.respond(request, reply, { status: 201, location: taskLocation }, async (respond) => {
    refuseUnreadableDueAt(request.body)
    const result = await fastify.db.tasks.create(principalOf(request), request.body, { respond })
    if (typeof result === 'string') throw refusalProblem(result)
    return result
  }))
}

export default createTask
