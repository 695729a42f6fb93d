import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { principalOf } from '../../plugins/app/authentication.js'
import { problemResponses } from '../../problems/problem-responses.js'
import { TaskIdParams, TaskUpdate } from '../../schemas/task.js'
import { Ref } from '../../schemas/type-helpers.js'
import { ifMatchHeader, ifMatchPrecondition, requireIfMatch, sendTask, TaskResponse } from './conditional-requests.js'
import { refuseUnreadableDueAt } from './due-time.js'
import { refusalProblem } from './task-problems.js'
import type { TaskRouteOptions } from './task-route-options.js'
import { trimFields } from '../trim-fields.js'

const updateTask: FastifyPluginAsyncTypebox<TaskRouteOptions> = async (fastify, { requireIfMatch: required }) => {
  fastify.patch('/:task_id', {
    config: { access: 'tasks:write' },
    preValidation: trimFields('title'),
    ...(required ? { preHandler: requireIfMatch } : {}),
    schema: {
      operationId: 'updateTask',
      summary: 'Update a task',
      description: 'Changes only the fields sent; `null` clears description, assignee, notify_email, due_at or location (a location is replaced whole, never merged). Any invalid field rejects the whole update, which then changes nothing. `updated_at` and `version` move on every change; `{}` changes nothing. With If-Match, the update happens only if the task is still at that ETag (412 otherwise).',
      tags: ['Tasks'],
      params: TaskIdParams,
      headers: Type.Object(ifMatchHeader),
      body: Ref(TaskUpdate),
      response: {
        200: TaskResponse('The task after the update.'),
        ...problemResponses('malformed-json', 'forbidden', 'not-found', 'precondition-failed', 'payload-too-large', 'unsupported-media-type', 'validation', 'precondition-required', 'rate-limited')
      }
    }
  }, async (request, reply) => {
    const id = request.params.task_id
    refuseUnreadableDueAt(request.body)
    const result = await fastify.db.tasks.update(principalOf(request), id, request.body, { precondition: ifMatchPrecondition(request) })
    if (typeof result === 'string') throw refusalProblem(result, id)
    return sendTask(reply, result)
  })
}

export default updateTask
