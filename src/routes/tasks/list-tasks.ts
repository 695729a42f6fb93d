import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { problemResponses } from '../../problems/problem-responses.js'
import { TaskList, TaskListQuery } from '../../schemas/task.js'
import { Ref } from '../../schemas/type-helpers.js'

const listTasks: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get('/', {
    schema: {
      operationId: 'listTasks',
      summary: 'List tasks',
      description: 'Lists tasks a page at a time, filtered by status, priority and a search term, and sorted by creation time, priority or title. Ties are broken by id in the same direction, so paging never skips or repeats a task. `total` counts every match; soft-deleted tasks are left out unless `include_deleted=true`.',
      tags: ['Tasks'],
      querystring: TaskListQuery,
      response: {
        200: Ref(TaskList, { description: 'One page of tasks.' }),
        ...problemResponses('validation', 'rate-limited')
      }
    }
  }, async (request) => {
    const query = request.query
    const { items, total } = await fastify.db.tasks.list(query)
    return { items, total, limit: query.limit, offset: query.offset, has_more: query.offset + items.length < total }
  })
}

export default listTasks
