import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { principalOf } from '../../plugins/app/authentication.js'
import { shownUser, type StoredUser } from '../../db/user-repository.js'
import { problemResponses } from '../../problems/problem-responses.js'
import { User } from '../../schemas/user.js'
import { Ref } from '../../schemas/type-helpers.js'

const getMe: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get('/me', {
    config: { access: 'signed-in' },
    schema: {
      operationId: 'getMe',
      summary: 'Get your account',
      description: 'The user the token belongs to (with AUTH=off and no token: the built-in `local` administrator). Any scope will do.',
      tags: ['Users'],
      response: {
        200: Ref(User, { description: 'Your account.' }),
        ...problemResponses('rate-limited')
      }
    }
  }, async (request) => {
    // The token was checked against this user moments ago; users are never deleted.
    const user = await fastify.db.users.findById(principalOf(request).userId) as StoredUser
    return shownUser(user)
  })
}

export default getMe
