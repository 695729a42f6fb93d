import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

/** X-Request-ID: the id the request is logged under. */
export function setRequestIdHeader (request: FastifyRequest, reply: FastifyReply): void {
  reply.header('x-request-id', request.id)
}

/** X-Process-Time: time spent on the request so far, in milliseconds. */
export function setProcessTimeHeader (reply: FastifyReply): void {
  reply.header('x-process-time', `${reply.elapsedTime.toFixed(2)}ms`)
}

/**
 * Adds X-Request-ID and X-Process-Time to every response. Callback hooks:
 * they run on every request, and a promise each would cost more than the work.
 */
async function responseHeaders (fastify: FastifyInstance) {
  fastify.addHook('onRequest', (request, reply, done) => {
    setRequestIdHeader(request, reply)
    done()
  })
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    setProcessTimeHeader(reply)
    done(null, payload)
  })
}

export default fp(responseHeaders, { name: 'response-headers' })
