import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { shownUser } from '../../db/user-repository.js'
import { problemResponses } from '../../problems/problem-responses.js'
import { Ref } from '../../schemas/type-helpers.js'
import { User, UsernameParams } from '../../schemas/user.js'
import { userNotFound } from '../users/user-problems.js'

const getUser: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get('/:username', {
    config: { access: 'users:admin' },
    schema: {
      operationId: 'getUser',
      summary: 'Get a user',
      description: 'One user\'s account, by username (in any case).',
      tags: ['Administration'],
      params: UsernameParams,
      response: {
        200: Ref(User, { description: 'The user.' }),
        ...problemResponses('bad-request', 'not-found', 'validation', 'rate-limited')
      }
    }
  }, async (request) => {
    const user = await fastify.db.users.findByUsername(request.params.username)
    if (user === undefined) throw userNotFound(request.params.username)
    return shownUser(user)
  })
}

export default getUser
