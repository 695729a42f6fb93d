import fp from 'fastify-plugin'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'

/** Serves Swagger UI for the OpenAPI document at /docs. */
async function docs (fastify: FastifyInstance) {
  await fastify.register(swaggerUi, { routePrefix: '/docs' })
}

export default fp(docs, { name: 'swagger-ui', dependencies: ['openapi'] })
