import fp from 'fastify-plugin'
import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance } from 'fastify'
import { ProblemError } from '../../problems/problem-error.js'

export interface RateLimitOptions {
  /** RATE_LIMIT_MAX: requests per window and client IP; 0 switches limiting off. */
  max: number
  /** RATE_LIMIT_WINDOW_MS */
  windowMs: number
}

/**
 * Limits each client IP to `max` requests per window. Over the limit the
 * client gets a 429 problem with Retry-After and the X-RateLimit-* headers.
 */
async function rateLimiting (fastify: FastifyInstance, { max, windowMs }: RateLimitOptions) {
  if (max === 0) return
  await fastify.register(rateLimit, {
    max,
    timeWindow: windowMs,
    errorResponseBuilder: (_request, context) => new ProblemError(
      'rate-limited',
      `Rate limit of ${context.max} requests per ${windowMs / 1000} seconds exceeded; retry in ${context.after}.`
    )
  })
}

export default fp(rateLimiting, { name: 'rate-limit' })
