import type { FastifyPluginAsync } from 'fastify'
import { versionDocuments, type VersionDocuments } from '../openapi-documents.js'

/**
 * Serves the OpenAPI documents generated from the route schemas: the
 * current contract at /openapi.json (the unprefixed paths), and each
 * version's at /v1/openapi.json and /v2/openapi.json. They are made once,
 * on the first request, when every route is known.
 */
const openApiDocuments: FastifyPluginAsync = async (fastify) => {
  let documents: VersionDocuments | undefined
  const documentsNow = () => {
    documents ??= versionDocuments(fastify.swagger())
    return documents
  }
  const options = { config: { access: 'public' as const }, schema: { hide: true } }
  fastify.get('/openapi.json', options, async () => documentsNow().current)
  fastify.get('/v2/openapi.json', options, async () => documentsNow().v2)
  fastify.get('/v1/openapi.json', options, async () => documentsNow().v1)
}

export default openApiDocuments
