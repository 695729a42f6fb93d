import type { FastifyPluginAsync } from 'fastify'

/** Serves the OpenAPI document generated from the route schemas. */
const openApiDocument: FastifyPluginAsync = async (fastify) => {
  fastify.get('/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () => fastify.swagger())
}

export default openApiDocument
