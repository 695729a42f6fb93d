import fp from 'fastify-plugin'
import swagger from '@fastify/swagger'
import type { FastifyInstance } from 'fastify'
import { packageVersion } from '../../package-info.js'

/**
 * Builds the OpenAPI document from the route schemas. Shared schemas become
 * components named after their `$id`, so generated clients get named types.
 */
async function openApi (fastify: FastifyInstance) {
  await fastify.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Task API',
        version: packageVersion,
        description: 'Create, list, search, update, soft-delete and restore tasks. Every error is RFC 9457 problem details.'
      },
      tags: [
        { name: 'Tasks', description: 'Task management' },
        { name: 'Health', description: 'Service health' }
      ]
    },
    // Ajv fills in a query parameter's default, so the route schema lists it as
    // required; to a client, a parameter with a default is optional.
    transform: ({ schema, url }) => {
      const query = schema?.querystring as { required?: string[], properties?: Record<string, { default?: unknown }> } | undefined
      if (query?.required === undefined) return { schema, url }
      const required = query.required.filter((name) => query.properties?.[name]?.default === undefined)
      return { schema: { ...schema, querystring: { ...query, required } }, url }
    },
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, index) => typeof json.$id === 'string' ? json.$id : `def-${index}`
    }
  })
}

export default fp(openApi, { name: 'openapi' })
