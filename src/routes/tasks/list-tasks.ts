import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import { requestPath } from '../../problems/problem-reply.js'
import { problemResponses } from '../../problems/problem-responses.js'
import { queryParameterProblem } from '../../problems/validation-problem.js'
import { timestampOf } from '../../db/iso-timestamp.js'
import { TaskList, TaskListQuery } from '../../schemas/task.js'
import { Ref } from '../../schemas/type-helpers.js'
import { decodeCursor, encodeCursor } from './list-cursor.js'

const listTasks: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get('/', {
    preValidation: refuseCursorWithOffset,
    schema: {
      operationId: 'listTasks',
      summary: 'List tasks',
      description: 'Lists tasks a page at a time, filtered by status, priority, a search term and the time of their last change, and sorted by creation time, priority or title. Ties are broken by id in the same direction. Page by `offset`, or by `cursor` (each page\'s `next_cursor`), which never skips or repeats a task while others are added, changed or deleted. The `Link` header holds the URL of the next page. `total` counts every match; soft-deleted tasks are left out unless `include_deleted=true`.',
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
    refuseUnreadableTime(query)
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, query)
    const { items, total, hasMore } = await fastify.db.tasks.list(query, after)
    const last = items.at(-1)
    const nextCursor = hasMore && last !== undefined ? encodeCursor(query, last) : null
    if (nextCursor !== null) {
      const next = after === undefined ? { offset: String(query.offset + items.length) } : { cursor: nextCursor }
      reply.header('link', `<${nextPageUrl(request, next)}>; rel="next"`)
    }
    return { items, total, limit: query.limit, offset: query.offset, has_more: hasMore, next_cursor: nextCursor }
  })
}

/** Paging either counts from an offset or follows a cursor, never both. */
function refuseCursorWithOffset (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
  const query = request.query as Record<string, unknown>
  if (query.cursor !== undefined && query.offset !== undefined) {
    return done(queryParameterProblem('cursor', 'cannot be combined with offset: a cursor already says where the page starts'))
  }
  done()
}

/**
 * The date-time format lets through a few RFC 3339 spellings that no clock
 * reading comes from (an offset without minutes, `+02`): refused by name,
 * rather than silently matching nothing.
 */
function refuseUnreadableTime ({ updated_since: since }: TaskListQuery): void {
  if (since !== undefined && Number.isNaN(timestampOf(since))) {
    throw queryParameterProblem('updated_since', 'is not a time this API can read; write it as 2026-11-21T08:00:00Z or with a ±hh:mm offset')
  }
}

/** This request's URL with the paging parameter moved on, every other parameter as sent. */
function nextPageUrl (request: FastifyRequest, next: Partial<Record<'offset' | 'cursor', string>>): string {
  const search = new URLSearchParams(request.url.slice(requestPath(request).length + 1))
  for (const [name, value] of Object.entries(next)) search.set(name, value)
  return `${requestPath(request)}?${search.toString()}`
}

export default listTasks
