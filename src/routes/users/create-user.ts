import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { hashPassword } from '../../auth/passwords.js'
import { shownUser } from '../../db/user-repository.js'
import { ProblemError } from '../../problems/problem-error.js'
import { problemResponses } from '../../problems/problem-responses.js'
import { User, UserCreate } from '../../schemas/user.js'
import { Ref } from '../../schemas/type-helpers.js'
import { trimFields } from '../trim-fields.js'
import { takenProblem } from './user-problems.js'

export interface CreateUserOptions {
  /** REGISTRATION: `admin` needs a token with `users:admin`; `open` lets anyone register. */
  registration: 'admin' | 'open'
}

const createUser: FastifyPluginAsyncTypebox<CreateUserOptions> = async (fastify, { registration }) => {
  fastify.post('/', {
    config: { access: registration === 'open' ? 'optional' : 'users:admin' },
    preValidation: trimFields('display_name'),
    schema: {
      operationId: 'createUser',
      summary: 'Register a user',
      description: 'Creates a user who can then sign in at POST /auth/token. With REGISTRATION=admin (the default) this needs a token with `users:admin`; with REGISTRATION=open anyone may register, as a member. Only a caller with `users:admin` may create an administrator. Usernames and emails are unique without regard to case (409 naming the field).',
      tags: ['Users'],
      body: Ref(UserCreate),
      response: {
        201: Ref(User, {
          description: 'The user as created.',
          headers: { Location: Type.String({ description: 'The URL of the user (for administrators).' }) }
        }),
        ...problemResponses('malformed-json', 'forbidden', 'already-exists', 'payload-too-large', 'unsupported-media-type', 'validation', 'rate-limited')
      }
    }
  }, async (request, reply) => {
    const { username, email, password, display_name: displayName, role = 'member' } = request.body
    if (role === 'admin' && request.principal?.scopes.has('users:admin') !== true) {
      throw new ProblemError('forbidden', 'Only an administrator (a token with the users:admin scope) may create administrators.')
    }
    const created = await fastify.db.users.create({
      username,
      email,
      displayName: displayName ?? username,
      role,
      passwordHash: await hashPassword(password)
    })
    if (created === 'username-taken') throw takenProblem('username')
    if (created === 'email-taken') throw takenProblem('email')
    return reply.code(201).header('location', `/admin/users/${created.username}`).send(shownUser(created))
  })
}

export default createUser
