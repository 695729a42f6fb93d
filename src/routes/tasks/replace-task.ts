import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { principalOf } from '../../plugins/app/authentication.js'
import { problemResponses } from '../../problems/problem-responses.js'
import { TaskIdParams, TaskReplace, withDefaults } from '../../schemas/task.js'
import { Ref } from '../../schemas/type-helpers.js'
import { ifMatchHeader, ifMatchPrecondition, requireIfMatch, sendTask, TaskResponse } from './conditional-requests.js'
import { refuseUnreadableDueAt } from './due-time.js'
import { refusalProblem } from './task-problems.js'
import type { TaskRouteOptions } from './task-route-options.js'
import { trimFields } from '../trim-fields.js'

const replaceTask: FastifyPluginAsyncTypebox<TaskRouteOptions> = async (fastify, { requireIfMatch: required }) => {
  fastify.put('/:task_id', {
    config: { access: 'tasks:write' },
    preValidation: trimFields('title'),
    ...(required ? { preHandler: requireIfMatch } : {}),
    schema: {
      operationId: 'replaceTask',
      summary: 'Replace a task',
      description: 'Sets every writable field: `title` is required, and a field left out returns to its default (description, assignee, notify_email, project, due_at and location null, status pending, priority 2). Validated like a create. `updated_at` and `version` move if anything changed. With If-Match, the replace happens only if the task is still at that ETag (412 otherwise).',
      tags: ['Tasks'],
      params: TaskIdParams,
      headers: Type.Object(ifMatchHeader),
      body: Ref(TaskReplace),
      response: {
        200: TaskResponse('The task as replaced.'),
        ...problemResponses('malformed-json', 'forbidden', 'not-found', 'precondition-failed', 'payload-too-large', 'unsupported-media-type', 'validation', 'precondition-required', 'rate-limited')
      }
    }
  }, async (request, reply) => {
    const id = request.params.task_id
    refuseUnreadableDueAt(request.body)
    const result = await fastify.db.tasks.update(principalOf(request), id, withDefaults(request.body), { precondition: ifMatchPrecondition(request) })
    if (typeof result === 'string') throw refusalProblem(result, id)
    return sendTask(reply, result)
  })
}

export default replaceTask
