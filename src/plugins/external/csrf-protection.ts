import fp from 'fastify-plugin'
import csrfProtection from '@fastify/csrf-protection'
import type { FastifyInstance, FastifyRequest } from 'fastify'

/** The hidden form field every page form carries its CSRF token in. */
const CSRF_FIELD = '_csrf'

/**
 * CSRF tokens for the web pages' forms (`reply.generateCsrf()`): every
 * request other than GET and HEAD in this scope must carry the token of its
 * session, or is refused (403) before it is handled. The secret lives in
 * the session; a token is read only from the form's own field, never from
 * the URL, where it could leak.
 */
async function formTokens (fastify: FastifyInstance) {
  await fastify.register(csrfProtection, {
    sessionPlugin: '@fastify/secure-session',
    getToken: (request: FastifyRequest) => {
      const body = request.body as Record<string, unknown> | null | undefined
      const token = body?.[CSRF_FIELD]
      return typeof token === 'string' ? token : undefined
    }
  })
  fastify.addHook('preValidation', (request, reply, done) => {
    if (request.method === 'GET' || request.method === 'HEAD') return done()
    fastify.csrfProtection(request, reply, done)
  })
}

export default fp(formTokens, { name: 'csrf-protection', dependencies: ['page-session'] })
