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

/** Adds X-Request-ID and X-Process-Time to every response. */
async function responseHeaders (fastify: FastifyInstance) {
  fastify.addHook('onRequest', async (request, reply) => setRequestIdHeader(request, reply))
  fastify.addHook('onSend', async (_request, reply) => setProcessTimeHeader(reply))
}

export default fp(responseHeaders, { name: 'response-headers' })
