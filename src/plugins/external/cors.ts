import fp from 'fastify-plugin'
import cors from '@fastify/cors'
import type { FastifyInstance } from 'fastify'

export interface CorsOptions {
  /** CORS_ORIGINS: comma-separated origins allowed to call the API from a browser; empty for none. */
  origins: string
}

// The response headers a browser script may read: everything this API says in headers.
const EXPOSED_HEADERS = [
  'ETag', 'Location', 'Link', 'Idempotent-Replayed', 'X-Request-ID', 'X-Process-Time',
  'Content-Disposition', 'Content-Range', 'Accept-Ranges', 'Age',
  'Retry-After', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset', 'WWW-Authenticate',
  'Deprecation', 'Sunset', 'X-Total-Count'
]
const ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'If-Match', 'If-None-Match', 'Idempotency-Key', 'X-Request-ID', 'Range', 'If-Range']

/**
 * Lets browser pages from the listed origins call the API: answers their
 * preflights and exposes the API's headers to them. Off (no CORS headers, no
 * preflight route) unless origins are listed.
 */
async function crossOrigin (fastify: FastifyInstance, { origins }: CorsOptions) {
  const allowed = origins.split(',').map((origin) => origin.trim()).filter((origin) => origin !== '')
  if (allowed.length === 0) return
  await fastify.register(cors, {
    origin: allowed,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ALLOWED_HEADERS,
    exposedHeaders: EXPOSED_HEADERS,
    // Browsers may reuse a preflight's answer for 10 minutes.
    maxAge: 600
  })
}

export default fp(crossOrigin, { name: 'cors' })
