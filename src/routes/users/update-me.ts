import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import formBody from '@fastify/formbody'
import { closeUnreadBody } from '../../files/received-files.js'
import { hashPassword } from '../../auth/passwords.js'
import multipartPlugin from '../../plugins/external/multipart.js'
import { principalOf } from '../../plugins/app/authentication.js'
import { shownUser, type StoredUser } from '../../db/user-repository.js'
import { problemResponses } from '../../problems/problem-responses.js'
import { bodyFieldProblem } from '../../problems/validation-problem.js'
import { User, UserUpdate } from '../../schemas/user.js'
import { Ref } from '../../schemas/type-helpers.js'
import { trimFields } from '../trim-fields.js'
import { takenProblem } from './user-problems.js'

const updateMe: FastifyPluginAsyncTypebox = async (fastify) => {
  // An HTML form may send the changes too, urlencoded or as multipart fields.
  await fastify.register(formBody)
  await fastify.register(multipartPlugin, { parts: 'fields' })

  /** The new password's hash, once the current password is proven; guesses count as failed sign-ins. */
  const newPasswordHash = async (user: StoredUser, ip: string, password: string, current: string | undefined): Promise<string> => {
    if (current === undefined) throw bodyFieldProblem('current_password', 'is required to set a new password')
    if (!await fastify.checkPassword(user.username, ip, user.passwordHash, current)) throw bodyFieldProblem('current_password', 'is not your current password')
    return hashPassword(password)
  }

  fastify.patch('/me', {
    config: { access: 'signed-in' },
    onError: closeUnreadBody,
    preValidation: trimFields('display_name', 'bio'),
    schema: {
      operationId: 'updateMe',
      summary: 'Change your account',
      description: 'Changes your email, display name, bio or password; fields left out keep their value. As JSON, or as an HTML form would send it (`application/x-www-form-urlencoded` or `multipart/form-data`, text fields only); an empty bio removes it. A new password needs `current_password`, and ends every token you hold, this one included: sign in again. Any scope will do.',
      tags: ['Users'],
      consumes: ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data'],
      body: Ref(UserUpdate),
      response: {
        200: Ref(User, { description: 'Your account after the change.' }),
        ...problemResponses('malformed-json', 'bad-request', 'already-exists', 'payload-too-large', 'unsupported-media-type', 'validation', 'login-throttled', 'rate-limited')
      }
    }
  }, async (request) => {
    const { email, display_name: displayName, bio, password, current_password: current } = request.body
    const principal = principalOf(request)
    const user = await fastify.db.users.findById(principal.userId) as StoredUser
    const passwordHash = password === undefined ? undefined : await newPasswordHash(user, request.ip, password, current)
    const updated = await fastify.db.users.update(user.id, { email, displayName, passwordHash, bio: bio === '' ? null : bio })
    if (updated === 'email-taken') throw takenProblem('email')
    return shownUser(updated as StoredUser)
  })
}

export default updateMe
