import fp from 'fastify-plugin'
import flash from '@fastify/flash'
import type { FastifyInstance } from 'fastify'

/** One-time messages of the web pages (`request.flash`, `reply.flash`), kept in the session until the next page shows them. */
async function flashMessages (fastify: FastifyInstance) {
  await fastify.register(flash)
}

export default fp(flashMessages, { name: 'flash', dependencies: ['page-session'] })
