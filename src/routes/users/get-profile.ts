import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { problemResponses } from '../../problems/problem-responses.js'
import { Profile, UsernameParams } from '../../schemas/user.js'
import { Ref } from '../../schemas/type-helpers.js'
import { profileOf } from './profile-of.js'
import { userNotFound } from './user-problems.js'

const getProfile: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get('/:username', {
    config: { access: 'signed-in' },
    schema: {
      operationId: 'getProfile',
      summary: 'Get a user\'s profile',
      description: 'What any signed-in user may see of another (with AUTH=off, of anyone, the built-in `local` user too): the display name, the bio and where the picture is. Any scope will do.',
      tags: ['Users'],
      params: UsernameParams,
      response: {
        200: Ref(Profile, { description: 'The profile.' }),
        ...problemResponses('bad-request', 'not-found', 'validation', 'rate-limited')
      }
    }
  }, async (request) => {
    const user = await fastify.db.users.findByUsername(request.params.username)
    if (user === undefined) throw userNotFound(request.params.username)
    return profileOf(user)
  })
}

export default getProfile
