import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { shownUser } from '../../db/user-repository.js'
import { ProblemError } from '../../problems/problem-error.js'
import { problemResponses } from '../../problems/problem-responses.js'
import { Ref } from '../../schemas/type-helpers.js'
import { User, UserAdminUpdate, UsernameParams } from '../../schemas/user.js'
import { userNotFound } from '../users/user-problems.js'

const updateUser: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.patch('/:username', {
    config: { access: 'users:admin' },
    schema: {
      operationId: 'updateUser',
      summary: 'Change a user\'s role, or disable them',
      description: 'Makes a user an `admin` or a `member`, or disables (or enables) them. Disabling ends every token they hold at once, and enabling them again does not bring those back. The last enabled administrator cannot be demoted or disabled, nor can the built-in `local` user be changed (409).',
      tags: ['Administration'],
      params: UsernameParams,
      body: Ref(UserAdminUpdate),
      response: {
        200: Ref(User, { description: 'The user after the change.' }),
        ...problemResponses('malformed-json', 'bad-request', 'not-found', 'last-admin', 'built-in-user', 'payload-too-large', 'unsupported-media-type', 'validation', 'rate-limited')
      }
    }
  }, async (request) => {
    const { username } = request.params
    const updated = await fastify.db.users.adminUpdate(username, request.body)
    if (updated === 'not-found') throw userNotFound(username)
    if (updated === 'last-admin') throw new ProblemError('last-admin', `${username} is the last enabled administrator: make another user an administrator first.`)
    if (updated === 'built-in') throw new ProblemError('built-in-user', 'The built-in local user cannot be changed.')
    return shownUser(updated)
  })
}

export default updateUser
