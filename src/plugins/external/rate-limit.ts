import fp from 'fastify-plugin'
import rateLimit, { type RateLimitPluginOptions } from '@fastify/rate-limit'
import type { FastifyInstance } from 'fastify'
import { ProblemError } from '../../problems/problem-error.js'

export interface RateLimitOptions {
  /** RATE_LIMIT_MAX: requests per window and client IP; 0 switches limiting off. */
  max: number
  /** RATE_LIMIT_WINDOW_MS */
  windowMs: number
}

// Before each client IP in the Redis keys, so the counters are told apart
// from anything else kept in the same Redis.
const REDIS_KEY_PREFIX = 'task-api:rate-limit:'

/**
 * Limits each client IP to `max` requests per window. Over the limit the
 * client gets a 429 problem with Retry-After and the X-RateLimit-* headers.
 *
 * With a Redis (`fastify.redis`) the count is shared by every instance using it.
 * While Redis cannot be reached requests are let through (fail open):
 * the API stays up with its limit not enforced, rather than refusing or
 * failing every request because of a store that only guards it.
 */
async function rateLimiting (fastify: FastifyInstance, { max, windowMs }: RateLimitOptions) {
  if (max === 0) return
  // skipOnError: a request Redis could not count is let through.
  const sharedStore: Pick<RateLimitPluginOptions, 'redis' | 'nameSpace' | 'skipOnError'> = fastify.redis === null
    ? {}
    : { redis: fastify.redis, nameSpace: REDIS_KEY_PREFIX, skipOnError: true }
  await fastify.register(rateLimit, {
    max,
    timeWindow: windowMs,
    ...sharedStore,
    errorResponseBuilder: (_request, context) => new ProblemError(
      'rate-limited',
      `Rate limit of ${context.max} requests per ${windowMs / 1000} seconds exceeded; retry in ${context.after}.`
    )
  })
}

export default fp(rateLimiting, { name: 'rate-limit', dependencies: ['redis'] })
