import fp from 'fastify-plugin'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import { versionDocuments } from '../../openapi-documents.js'

/**
 * Serves Swagger UI at /docs, with a choice of document in its top bar:
 * version 2 (the current contract, first, so shown first) or version 1
 * (deprecated). Its own
 * /docs/json is the current contract, as /openapi.json is.
 */
async function docs (fastify: FastifyInstance) {
  await fastify.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: {
      urls: [
        { url: '/v2/openapi.json', name: 'Version 2 (current)' },
        { url: '/v1/openapi.json', name: 'Version 1 (deprecated)' }
      ],
      // Switching documents keeps the reader signed in (the token is kept in
      // the page's local storage until the reader logs out in the dialog).
      persistAuthorization: true
    },
    transformSpecification: (generated) => versionDocuments(generated).current
  })
}

export default fp(docs, { name: 'swagger-ui', dependencies: ['openapi'] })
