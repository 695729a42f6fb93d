import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { packageVersion } from '../package-info.js'
import { StorageUnavailableError } from '../db/storage-unavailable-error.js'
import { ProblemError } from '../problems/problem-error.js'
import { problemResponses } from '../problems/problem-responses.js'

const Health = Type.Object({
  status: Type.Literal('ok'),
  version: Type.String({ description: 'The version of this API.' })
}, { additionalProperties: false, description: 'The service and its database are working.' })

const health: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get('/health', {
    config: { rateLimit: false, access: 'public' },
    schema: {
      operationId: 'getHealth',
      summary: 'Check health',
      description: 'Answers 200 when the database answers a query and would take a write (one is tried and rolled back); 503 when it cannot, saying whether it is full, read-only or not answering. Never rate limited.',
      tags: ['Health'],
      response: {
        200: Health,
        ...problemResponses('service-unavailable')
      }
    }
  }, async (request) => {
    try {
      await fastify.db.ping()
    } catch (error) {
      // A known fault (full, read-only ...) is reported as such, with Retry-After.
      if (error instanceof StorageUnavailableError) throw error
      request.log.error({ err: error }, 'health check: the database did not answer')
      throw new ProblemError('service-unavailable', 'The database is not answering.')
    }
    return { status: 'ok' as const, version: packageVersion }
  })
}

export default health
