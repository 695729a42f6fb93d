import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { principalOf } from '../../plugins/app/authentication.js'
import { problemResponses } from '../../problems/problem-responses.js'
import { queryParameterProblem } from '../../problems/validation-problem.js'
import { timestampOf } from '../../db/iso-timestamp.js'
import { TaskList, TaskListQuery } from '../../schemas/task.js'
import { Ref } from '../../schemas/type-helpers.js'
import { linkNextPage, pageBody, refuseCursorWithOffset } from '../paging.js'
import { decodeTaskCursor, encodeTaskCursor } from './list-cursor.js'

const listTasks: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get('/', {
    config: { access: 'tasks:read' },
    preValidation: refuseCursorWithOffset,
    schema: {
      operationId: 'listTasks',
      summary: 'List tasks',
      description: 'Lists the tasks you can see a page at a time, filtered by project, status, priority, a search term, the time of their last change and their due time (or whether they are overdue), and sorted by creation time, priority, title or due time (tasks without one last). Ties are broken by id in the same direction. Page by `offset`, or by `cursor` (each page\'s `next_cursor`), which never skips or repeats a task while others are added, changed or deleted. The `Link` header holds the URL of the next page. `total` counts every match; soft-deleted tasks are left out unless `include_deleted=true`.',
      tags: ['Tasks'],
      querystring: TaskListQuery,
      response: {
        200: Ref(TaskList, {
          description: 'One page of tasks.',
          headers: {
            Link: Type.String({ description: 'RFC 8288 link to the next page, `<URL>; rel="next"`; absent on the last page.' })
          }
        }),
        ...problemResponses('validation', 'rate-limited')
      }
    }
  }, async (request, reply) => {
    const query = request.query
    const viewer = principalOf(request)
    refuseUnreadableTime(query)
    const after = query.cursor === undefined ? undefined : decodeTaskCursor(query.cursor, query, viewer)
    const page = await fastify.db.tasks.list(viewer, query, after)
    if (page === 'project-not-found') throw queryParameterProblem('project', 'is not a project you can see')
    const last = page.items.at(-1)
    const nextCursor = page.hasMore && last !== undefined ? encodeTaskCursor(query, viewer, last) : null
    linkNextPage(request, reply, query, page.items.length, nextCursor)
    return pageBody(query, page, nextCursor)
  })
}

/**
 * The date-time format lets through a few RFC 3339 spellings that no clock
 * reading comes from (an offset without minutes, `+02`): refused by name,
 * rather than silently matching nothing.
 */
export function refuseUnreadableTime (query: Omit<TaskListQuery, 'cursor'>): void {
  for (const name of ['updated_since', 'due_before', 'due_after'] as const) {
    const time = query[name]
    if (time !== undefined && Number.isNaN(timestampOf(time))) {
      throw queryParameterProblem(name, 'is not a time this API can read; write it as 2026-11-21T08:00:00Z or with a ±hh:mm offset')
    }
  }
}

export default listTasks
