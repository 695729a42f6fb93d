import { randomUUID } from 'node:crypto'
import type { Socket } from 'node:net'
import type { FastifyInstance } from 'fastify'
import type { Problem } from '../schemas/problem.js'
import { PROBLEM_CONTENT_TYPE } from './problem-reply.js'
import { PROBLEM_TYPES, type ProblemKind } from './problem-types.js'

/**
 * Answers what Node's HTTP parser refuses before Fastify sees a request
 * (headers too large, a request that did not arrive in time, bytes that are
 * not HTTP) with problem details too, then closes the connection. There is no
 * request, so no path: the problem's `instance` is a URN naming this
 * occurrence, which is logged with the error.
 */
export function clientErrorHandler (typeBase: string) {
  return function (this: FastifyInstance, error: NodeJS.ErrnoException, socket: Socket): void {
    // A reset connection has nobody to answer.
    if (error.code === 'ECONNRESET' || socket.destroyed) return
    const kind: ProblemKind = error.code === 'HPE_HEADER_OVERFLOW'
      ? 'headers-too-large'
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'request-timeout' : 'bad-request'
    const { status, title } = PROBLEM_TYPES[kind]
    const instance = `urn:uuid:${randomUUID()}`
    const problem: Problem = { type: `${typeBase}${kind}`, title, status, detail: CLIENT_ERROR_DETAILS[kind] ?? 'The request is not valid HTTP.', instance }
    // Not the error itself: it carries the raw bytes received, up to the whole oversized header.
    this.log.info({ code: error.code, reason: error.message, instance }, 'refused a request the HTTP parser could not accept')
    const body = JSON.stringify(problem)
    if (socket.writable) {
      socket.write(`HTTP/1.1 ${status} ${title}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`)
    }
    socket.destroy()
  }
}

const CLIENT_ERROR_DETAILS: Partial<Record<ProblemKind, string>> = {
  'headers-too-large': 'The request line and headers are larger than the 16 KiB this API accepts.',
  'request-timeout': 'The request did not arrive whole in time; the connection is closed.'
}
