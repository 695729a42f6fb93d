import fp from 'fastify-plugin'
import csrfProtection from '@fastify/csrf-protection'
import type { FastifyInstance, FastifyRequest } from 'fastify'

/** The hidden form field every page form carries its CSRF token in. */
export const CSRF_FIELD = '_csrf'

/**
 * CSRF tokens for the web pages' forms (`reply.generateCsrf()`, checked by
 * `fastify.csrfProtection`): the secret lives in the session, and a token is
 * read only from the form's own field, never from the URL, where it could leak.
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
}

export default fp(formTokens, { name: 'csrf-protection', dependencies: ['page-session'] })
