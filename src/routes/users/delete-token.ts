import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { principalOf } from '../../plugins/app/authentication.js'
import { ProblemError } from '../../problems/problem-error.js'
import { problemResponses } from '../../problems/problem-responses.js'
import { TokenIdParams } from '../../schemas/token.js'

const deleteToken: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.delete('/me/tokens/:token_id', {
    config: { access: 'signed-in' },
    schema: {
      operationId: 'deletePersonalToken',
      summary: 'Revoke a personal access token',
      description: 'The token stops working at once.',
      tags: ['Users'],
      params: TokenIdParams,
      response: {
        204: Type.Null({ description: 'The token was revoked.' }),
        ...problemResponses('malformed-json', 'bad-request', 'not-found', 'payload-too-large', 'unsupported-media-type', 'validation', 'rate-limited')
      }
    }
  }, async (request, reply) => {
    const { token_id: id } = request.params
    if (!await fastify.db.tokens.deletePersonal(principalOf(request).userId, id)) {
      throw new ProblemError('not-found', `You have no personal access token ${id}.`)
    }
    return reply.code(204).send(null)
  })
}

export default deleteToken
