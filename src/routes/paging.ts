import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import type { Page, PageRequest } from '../db/page.js'
import { requestPath } from '../problems/problem-reply.js'
import type { PageQuery } from '../schemas/page.js'
import { decodeCursor, encodeCursor, invalidCursor } from './cursor.js'

/** A preValidation hook of every list: paging either counts from an offset or follows a cursor, never both. */
export function refuseCursorWithOffset (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
  const query = request.query as Record<string, unknown>
  if (query.cursor !== undefined && query.offset !== undefined) {
    return done(invalidCursor('cannot be combined with offset: a cursor already says where the page starts'))
  }
  done()
}

/**
 * Sets the RFC 8288 `Link` header to the next page, when there is one: this
 * request's URL with the paging parameter moved on (the next `offset` in
 * offset mode, the next `cursor` in cursor mode), every other parameter as sent.
 */
export function linkNextPage (request: FastifyRequest, reply: FastifyReply, query: PageQuery, itemsOnPage: number, nextCursor: string | null): void {
  if (nextCursor === null) return
  const search = new URLSearchParams(request.originalUrl.slice(requestPath(request).length + 1))
  if (query.cursor === undefined) search.set('offset', String(query.offset + itemsOnPage))
  else search.set('cursor', nextCursor)
  reply.header('link', `<${requestPath(request)}?${search.toString()}>; rel="next"`)
}

/** The response body of a page, as every list sends it. */
export function pageBody<T> (query: PageQuery, page: Page<T>, nextCursor: string | null) {
  return { items: page.items, total: page.total, limit: query.limit, offset: query.offset, has_more: page.hasMore, next_cursor: nextCursor }
}

/**
 * Lists ordered by a unique text key (a slug, a username) page from
 * `query.offset`, or from just after the key a cursor holds. `list` names
 * the list for its cursors (which list, and whose).
 */
export function keyedPageRequest (query: PageQuery, list: unknown): PageRequest {
  if (query.cursor === undefined) return { limit: query.limit, offset: query.offset }
  const [key] = decodeCursor(query.cursor, list)
  if (typeof key !== 'string') throw invalidCursor('is not a cursor this API gave out')
  return { limit: query.limit, offset: query.offset, after: key }
}

/** The body of a page of a keyed list, its next cursor the key of its last item, with its `Link` header. */
export function keyedPageBody<T> (request: FastifyRequest, reply: FastifyReply, query: PageQuery, list: unknown, page: Page<T>, keyOf: (item: T) => string) {
  const last = page.items.at(-1)
  const nextCursor = page.hasMore && last !== undefined ? encodeCursor([keyOf(last)], list) : null
  linkNextPage(request, reply, query, page.items.length, nextCursor)
  return pageBody(query, page, nextCursor)
}
