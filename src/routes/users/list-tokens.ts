import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { principalOf } from '../../plugins/app/authentication.js'
import { problemResponses } from '../../problems/problem-responses.js'
import { PersonalTokenList } from '../../schemas/token.js'
import { Ref } from '../../schemas/type-helpers.js'
import { shownToken } from './shown-token.js'

const listTokens: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get('/me/tokens', {
    config: { access: 'signed-in' },
    schema: {
      operationId: 'listPersonalTokens',
      summary: 'List your personal access tokens',
      description: 'Your personal access tokens that have not expired, newest first: their names, scopes and expiry, never the tokens themselves. At most 100.',
      tags: ['Users'],
      response: {
        200: Ref(PersonalTokenList, { description: 'Your tokens.' }),
        ...problemResponses('rate-limited')
      }
    }
  }, async (request) => {
    const tokens = await fastify.db.tokens.listPersonal(principalOf(request).userId, Date.now())
    return { items: tokens.map(shownToken) }
  })
}

export default listTokens
