import { randomUUID } from 'node:crypto'
import type { RawRequestDefaultExpression } from 'fastify'

const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

/**
 * The id of a request, in logs and in the X-Request-ID response header: the
 * client's own X-Request-ID when it is safe to echo, otherwise a new UUID.
 */
export function requestIdFor (request: RawRequestDefaultExpression): string {
  const given = request.headers['x-request-id']
  return typeof given === 'string' && CLIENT_REQUEST_ID.test(given) ? given : randomUUID()
}
