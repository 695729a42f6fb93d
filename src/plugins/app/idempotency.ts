import { createHash } from 'node:crypto'
import fp from 'fastify-plugin'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { StoredResponse } from '../../db/database.js'
import { IdempotencyKeyInUseError } from '../../db/idempotency-key-in-use-error.js'
import { ProblemError } from '../../problems/problem-error.js'
import type { Task } from '../../schemas/task.js'
import { entityTag, sendTask, setTaskHeaders } from '../../routes/tasks/conditional-requests.js'
import { principalOf } from './authentication.js'
import { purgeInBackground } from './background-purge.js'

declare module 'fastify' {
  interface FastifyInstance {
    idempotency: Idempotency
  }
}

export interface IdempotencyOptions {
  /** IDEMPOTENCY_TTL_MS: how long a response is kept for its key. */
  ttlMs: number
}

/** What a write's first response is: its status, and its Location if it has one. */
export interface TaskResponseShape {
  status: number
  location?: (task: Task) => string
}

export interface Idempotency {
  /**
   * Runs a write that honours Idempotency-Key and answers with its task.
   * Without the header it is an ordinary write. With it, the first response
   * is stored in the write's own transaction and a repeat (same user, same
   * key, same method, path and body) gets it again with `Idempotent-Replayed: true`,
   * writing nothing; the same key for another request is a 422 problem, and
   * a repeat while the first is still being written a 409 problem. `key`
   * stands for the header where the request names itself otherwise (an
   * inbound webhook's delivery id).
   */
  respond (
    request: FastifyRequest,
    reply: FastifyReply,
    shape: TaskResponseShape,
    write: (respond: ((task: Task) => StoredResponse) | undefined) => Promise<Task>,
    key?: string
  ): Promise<FastifyReply>
}

/** The request header, for the `headers` schema of the routes that honour it. */
export const idempotencyKeyHeader = {
  'idempotency-key': Type.Optional(Type.String({
    minLength: 1,
    maxLength: 255,
    description: 'Any unique string (a UUID, say) naming this request: a retry with the same key and body gets the first response again, and nothing is done twice.'
  }))
}

/** The response header of a replay, for the OpenAPI document. */
export const replayedResponseHeader = {
  'Idempotent-Replayed': Type.Literal('true', { description: 'Present on a replay: this is the stored first response to the Idempotency-Key.' })
}

// Expired keys are forgotten as they expire, at most this often.
const PURGE_INTERVAL_MS = 60_000

async function idempotency (fastify: FastifyInstance, { ttlMs }: IdempotencyOptions) {
  // Users' keys whose first request is being written right now, by this
  // process (another instance's are found when the response is stored).
  const inFlight = new Set<string>()

  const sendFirst = (reply: FastifyReply, shape: TaskResponseShape, task: Task) => {
    if (shape.location !== undefined) reply.header('location', shape.location(task))
    return sendTask(reply, task)
  }

  fastify.decorate<Idempotency>('idempotency', {
    async respond (request, reply, shape, write, key = request.headers['idempotency-key'] as string | undefined) {
      reply.code(shape.status)
      if (key === undefined) return sendFirst(reply, shape, await write(undefined))
      // Keys are per user: two users' equal keys name two requests.
      const { userId } = principalOf(request)
      const userKey = `${userId} ${key}`
      if (inFlight.has(userKey)) {
        throw new ProblemError('idempotency-key-in-use', KEY_IN_USE)
      }
      inFlight.add(userKey)
      try {
        const fingerprint = requestFingerprint(request)
        const stored = await fastify.db.idempotency.find(userId, key, Date.now())
        if (stored !== undefined) {
          if (stored.fingerprint !== fingerprint) {
            throw new ProblemError('idempotency-key-reused', 'This Idempotency-Key was already used for a different request (method, path or body); use a new key for a new request.')
          }
          return replay(reply, stored)
        }
        const task = await write((task) => ({
          userId,
          key,
          fingerprint,
          status: shape.status,
          location: shape.location?.(task) ?? null,
          etag: entityTag(task),
          body: reply.serialize(task) as string,
          expiresAt: Date.now() + ttlMs
        })).catch(keyHeldElsewhere)
        return sendFirst(reply, shape, task)
      } finally {
        inFlight.delete(userKey)
      }
    }
  })

  purgeInBackground(fastify, 'idempotency keys', Math.min(ttlMs, PURGE_INTERVAL_MS), async () => fastify.db.idempotency.purgeExpired(Date.now()))
}

const KEY_IN_USE = 'A request with this Idempotency-Key is still being processed; retry once it has been answered.'

/** A write refused because another instance stored a response for its key first: the same 409 as a repeat here. */
function keyHeldElsewhere (error: unknown): never {
  throw error instanceof IdempotencyKeyInUseError ? new ProblemError('idempotency-key-in-use', KEY_IN_USE) : error
}

function replay (reply: FastifyReply, stored: StoredResponse): FastifyReply {
  reply.code(stored.status).header('idempotent-replayed', 'true')
  if (stored.location !== null) reply.header('location', stored.location)
  if (stored.etag !== null) setTaskHeaders(reply, stored.etag)
  return reply.type('application/json; charset=utf-8').send(stored.body)
}

/**
 * What makes two requests the same: method, route, path parameters and, for
 * a route that reads one, the body (key order aside). A body the route never
 * reads (restore's) is no part of the request, and is never walked.
 */
function requestFingerprint (request: FastifyRequest): string {
  const body = request.routeOptions.schema?.body === undefined ? null : canonical(request.body)
  const described = JSON.stringify([request.method, request.routeOptions.url, canonical(request.params), body])
  return createHash('sha256').update(described).digest('base64url')
}

/** The value with object keys in sorted order, so equal JSON gives equal text. */
function canonical (value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical)
  if (value === null || typeof value !== 'object') return value ?? null
  return Object.fromEntries(Object.keys(value).sort().map((key) => [key, canonical((value as Record<string, unknown>)[key])]))
}

export default fp(idempotency, { name: 'idempotency', dependencies: ['database', 'authentication'] })
