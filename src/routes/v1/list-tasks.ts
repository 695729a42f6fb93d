import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { principalOf } from '../../plugins/app/authentication.js'
import { problemResponses } from '../../problems/problem-responses.js'
import { queryParameterProblem } from '../../problems/validation-problem.js'
import { Task, TaskListV1Query } from '../../schemas/task.js'
import { Ref } from '../../schemas/type-helpers.js'
import { linkNextPage } from '../paging.js'
import { refuseUnreadableTime } from '../tasks/list-tasks.js'

const listTasksV1: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get('/', {
    config: { access: 'tasks:read' },
    schema: {
      operationId: 'listTasksV1',
      summary: 'List tasks (version 1: a bare array)',
      description: 'The tasks you can see, as version 1 listed them: a bare JSON array of one page, with the same filters, sort and offset paging as version 2 (no cursors). `X-Total-Count` counts every match, and the `Link` header holds the URL of the next page. Version 2\'s list (GET /v2/tasks) answers a page with `items`, `total`, `has_more` and `next_cursor` instead.',
      tags: ['Tasks'],
      querystring: TaskListV1Query,
      response: {
        200: Type.Array(Ref(Task), {
          description: 'One page of tasks.',
          headers: {
            'X-Total-Count': Type.String({ description: 'How many tasks match, on every page.' }),
            Link: Type.String({ description: 'RFC 8288 links: the next page, `<URL>; rel="next"` (absent on the last page), and version 2\'s list, `rel="successor-version"`.' })
          }
        }),
        ...problemResponses('validation', 'rate-limited')
      }
    }
  }, async (request, reply) => {
    const query = request.query
    refuseUnreadableTime(query)
    const page = await fastify.db.tasks.list(principalOf(request), query)
    if (page === 'project-not-found') throw queryParameterProblem('project', 'is not a project you can see')
    reply.header('x-total-count', String(page.total))
    // Offset paging only: a next page is the next offset, with no cursor to give.
    linkNextPage(request, reply, query, page.items.length, page.hasMore ? '' : null)
    return page.items
  })
}

export default listTasksV1
