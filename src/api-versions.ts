import type { IncomingMessage } from 'node:http'

/**
 * The API's versions. Version 2 is the current contract: it answers at the
 * unprefixed paths, as it always has, and under `/v2`. Version 1 is the
 * older shape of the task resource, under `/v1/tasks`, for old clients: its
 * list is a bare array; its other operations are version 2's. It is
 * deprecated (RFC 9745) and will be removed at its sunset (RFC 8594).
 */
export const CURRENT_VERSION = 'v2'

/** When version 1 was deprecated, and when it goes away. */
export const V1_DEPRECATED_AT = Date.UTC(2026, 11, 1)
export const V1_SUNSET_AT = Date.UTC(2027, 5, 30, 23, 59, 59)

/** What version 1 covers: the task resource. */
export const V1_RESOURCE = '/tasks'

// Under /v2 everything is the unprefixed API but the HTML pages (web pages,
// Swagger UI, the live page), each version's own OpenAPI document, and the
// versions' own paths (/v2/v1/...).
const NOT_VERSIONED = new Set(['web', 'docs', 'live', 'openapi.json', 'v1', 'v2', ''])

/**
 * Fastify's `rewriteUrl`: a versioned request is routed to the route that
 * answers it. `/v2/...` goes to the unprefixed route; `/v1/tasks/...` too,
 * except the list (`GET /v1/tasks`), which has its own route. Anything else
 * is left as it is (and is not found, when it is not a route). The request
 * keeps the URL it came with as `originalUrl`, which links are made from.
 */
export function routedUrl (request: IncomingMessage): string {
  const url = request.url as string
  const match = /^\/(v1|v2)(\/[^?]*)(.*)$/s.exec(url)
  if (match === null) return url
  const [, version, path = '', query = ''] = match
  if (version === 'v2') return NOT_VERSIONED.has(path.split('/')[1] as string) ? url : path + query
  const isList = path === V1_RESOURCE || path === `${V1_RESOURCE}/`
  if (isList && (request.method === 'GET' || request.method === 'HEAD')) return url
  return path === V1_RESOURCE || path.startsWith(`${V1_RESOURCE}/`) ? path + query : url
}

/** The version prefix a request came with (`/v1`, `/v2`), or '' for an unprefixed path. */
export function versionPrefix (request: { url: string, originalUrl: string }): string {
  return request.originalUrl.length > request.url.length && request.originalUrl.endsWith(request.url)
    ? request.originalUrl.slice(0, request.originalUrl.length - request.url.length)
    : ''
}
