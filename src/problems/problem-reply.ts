import { STATUS_CODES } from 'node:http'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { BODY_LIMIT_BYTES } from '../http-limits.js'
import type { Problem, ProblemFieldError } from '../schemas/problem.js'
import { StorageUnavailableError, type StorageFault } from '../db/storage-unavailable-error.js'
import { OAuthError } from './oauth-error.js'
import { ProblemError } from './problem-error.js'
import { PROBLEM_TYPES, type ProblemKind } from './problem-types.js'
import { validationProblem } from './validation-problem.js'

export const PROBLEM_CONTENT_TYPE = 'application/problem+json'

// Fastify's own client errors, by code, and the kind of problem each one is.
const FRAMEWORK_ERROR_KINDS: Record<string, ProblemKind> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'malformed-json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'bad-request',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad-request',
  FST_ERR_BAD_URL: 'bad-request',
  FST_ERR_MAX_PARAM_LENGTH: 'bad-request',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload-too-large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported-media-type'
}

const FRAMEWORK_ERROR_DETAILS: Partial<Record<ProblemKind, string>> = {
  'payload-too-large': `The request body is larger than the ${BODY_LIMIT_BYTES} bytes this API accepts.`,
  'unsupported-media-type': 'This API accepts request bodies as application/json only.'
}

/**
 * Sends any error as RFC 9457 problem details. Errors the client caused keep
 * their message; anything else is a 500 whose body says nothing of its cause,
 * which is logged with the request id instead.
 */
export function replyWithProblem (error: unknown, request: FastifyRequest, reply: FastifyReply, typeBase: string): FastifyReply {
  const problem = occurrenceOf(error, request, reply)
  const status = problem.statusCode
  const body: Problem = {
    type: problem.kind === undefined ? 'about:blank' : `${typeBase}${problem.kind}`,
    title: problemTitle(problem),
    status,
    detail: problem.detail,
    instance: requestPath(request),
    ...(problem.errors === undefined ? {} : { errors: problem.errors })
  }
  if (problem instanceof OAuthError) {
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache')
    return reply.code(status).type('application/json').send({ error: problem.code, error_description: problem.detail, ...body })
  }
  return reply.code(status).type(PROBLEM_CONTENT_TYPE).send(body)
}

/** The path the client asked for (before any routing under a version prefix), without its query string. */
export function requestPath (request: FastifyRequest): string {
  return request.originalUrl.split('?', 1)[0] as string
}

/**
 * What went wrong, for any error a request ended with: logged when it is the
 * server's fault or the database's, and its Retry-After set on the reply.
 * (The web pages answer the same occurrence with an HTML page.)
 */
export function occurrenceOf (error: unknown, request: FastifyRequest, reply: FastifyReply): Occurrence {
  const problem = describeError(error)
  if (problem.kind === 'internal-error') {
    request.log.error({ err: error }, 'request failed with an internal error')
  } else if (problem.kind === 'storage-unavailable') {
    request.log.warn({ err: error }, 'the database is unavailable')
  }
  if (problem.retryAfterSeconds !== undefined) reply.header('retry-after', String(problem.retryAfterSeconds))
  return problem
}

/** The short summary of the occurrence's kind of problem. */
export function problemTitle ({ kind, statusCode }: Occurrence): string {
  return kind === undefined ? STATUS_CODES[statusCode] ?? 'Error' : PROBLEM_TYPES[kind].title
}

/** What went wrong; with no kind, the problem is RFC 9457's generic `about:blank`. */
export interface Occurrence {
  kind: ProblemKind | undefined
  statusCode: number
  detail: string
  errors?: ProblemFieldError[] | undefined
  retryAfterSeconds?: number | undefined
}

const STORAGE_FAULT_DETAILS: Record<StorageFault, string> = {
  full: 'The database is full, so nothing was written. Retry later.',
  'read-only': 'The database cannot be written to right now, so nothing was written. Retry later.',
  busy: 'The database was busy (locked, or every connection in use) for too long, so nothing was done. Retry later.',
  io: 'The database could not be read or written, so nothing was done. Retry later.',
  unreachable: 'The database server cannot be reached, so nothing was done. Retry later.'
}

// How soon a client may retry after a storage fault: long enough for an operator or a lock to act.
const STORAGE_RETRY_AFTER_SECONDS = 5

function describeError (error: unknown): Occurrence {
  if (error instanceof ProblemError) return error
  if (error instanceof StorageUnavailableError) {
    return new ProblemError('storage-unavailable', STORAGE_FAULT_DETAILS[error.fault], undefined, STORAGE_RETRY_AFTER_SECONDS)
  }
  const fastifyError = error as Partial<FastifyError>
  if (fastifyError.validation !== undefined && fastifyError.validationContext !== undefined) {
    return validationProblem(fastifyError.validationContext, fastifyError.validation)
  }
  const kind = fastifyError.code === undefined ? undefined : FRAMEWORK_ERROR_KINDS[fastifyError.code]
  if (kind !== undefined) {
    return new ProblemError(kind, FRAMEWORK_ERROR_DETAILS[kind] ?? fastifyError.message ?? kind)
  }
  const status = fastifyError.statusCode
  if (status !== undefined && status >= 400 && status < 500) {
    return { kind: undefined, statusCode: status, detail: fastifyError.message ?? String(STATUS_CODES[status]) }
  }
  return new ProblemError('internal-error', 'The server failed to handle this request. Quote the X-Request-ID header when reporting it.')
}
