import { Type, type TSchema } from '@sinclair/typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { TaskVersion } from '../../db/database.js'
import { ProblemError } from '../../problems/problem-error.js'
import { Task } from '../../schemas/task.js'
import { Ref } from '../../schemas/type-helpers.js'
import { listedTags, noneMatch } from '../entity-tags.js'

/** A task's strong ETag: one per id and version, so any change gives a new one. */
export function entityTag ({ id, version }: TaskVersion): string {
  return `"${id}-${version}"`
}

const TASK_CACHE_CONTROL = 'private, no-cache'

/**
 * The headers of every answer about one task (a 200, a 201, a 304, a
 * replay): its ETag, and `private, no-cache`: a client may keep the task but
 * must revalidate (If-None-Match) before reuse, and shared caches must not.
 */
export function setTaskHeaders (reply: FastifyReply, etag: string): FastifyReply {
  return reply.header('etag', etag).header('cache-control', TASK_CACHE_CONTROL)
}

/** Sends one task with its headers. */
export function sendTask (reply: FastifyReply, task: Task): FastifyReply {
  return setTaskHeaders(reply, entityTag(task)).send(task)
}

/** The response headers of every response that carries one task, for the OpenAPI document. */
export const taskResponseHeaders = {
  ETag: Type.String({ description: 'The task\'s strong entity tag, `"{id}-{version}"`: send it in If-None-Match or If-Match.' }),
  'Cache-Control': Type.Literal(TASK_CACHE_CONTROL, { description: 'Clients may keep the task but revalidate it (If-None-Match) before reuse; shared caches must not store it.' })
}

/** The response schema of a response that carries one task, with its headers. */
export function TaskResponse (description: string, headers: Record<string, TSchema> = {}) {
  return Ref(Task, { description, headers: { ...taskResponseHeaders, ...headers } })
}

/** The request header of the writes that honour If-Match, for their `headers` schema. */
export const ifMatchHeader = {
  'if-match': Type.Optional(Type.String({
    description: 'Only write if the task\'s current ETag is one of these (comma-separated), or `*` for any. Otherwise 412, and nothing changes.'
  }))
}

/** The request header of GET /tasks/{task_id}. */
export const ifNoneMatchHeader = {
  'if-none-match': Type.Optional(Type.String({
    description: 'If the task\'s current ETag is one of these (comma-separated), or `*`, the answer is 304 with no body.'
  }))
}

/**
 * The precondition of a write from its If-Match header (RFC 9110 13.1.1):
 * strong comparison, so a weak tag never matches; `*` matches any task.
 * Undefined without the header.
 */
export function ifMatchPrecondition (request: FastifyRequest): ((current: TaskVersion) => boolean) | undefined {
  const tags = listedTags(request.headers['if-match'])
  if (tags === undefined) return undefined
  return (current) => tags === '*' || tags.some(({ weak, tag }) => !weak && tag === entityTag(current))
}

/** Whether If-None-Match lists the task's ETag (weak comparison, RFC 9110 13.1.2). */
export function noneMatchFails (request: FastifyRequest, task: Task): boolean {
  return noneMatch(request.headers['if-none-match'], entityTag(task))
}

/**
 * A preHandler for writes when REQUIRE_IF_MATCH is on: a write without
 * If-Match could overwrite a change its client never saw, so it is refused.
 */
export async function requireIfMatch (request: FastifyRequest): Promise<void> {
  if (request.headers['if-match'] === undefined) {
    throw new ProblemError('precondition-required', 'This server requires If-Match on every change to a task: send the ETag of the task as you last read it, or `*`.')
  }
}
