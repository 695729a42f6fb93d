import fp from 'fastify-plugin'
import multipart from '@fastify/multipart'
import type { FastifyInstance } from 'fastify'

/**
 * Parses multipart/form-data bodies for the routes of the scope that
 * registers it, which read their parts as streams (`request.parts()`, with
 * the limits each gives). Only the routes that take files register it: every
 * other route goes on refusing a multipart body with 415.
 */
async function multipartBodies (fastify: FastifyInstance) {
  await fastify.register(multipart)
}

export default fp(multipartBodies, { name: 'multipart' })
