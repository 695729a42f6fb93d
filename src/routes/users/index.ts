import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import createToken from './create-token.js'
import createUser, { type CreateUserOptions } from './create-user.js'
import deleteAvatar from './delete-avatar.js'
import deleteToken from './delete-token.js'
import getAvatar from './get-avatar.js'
import getMe from './get-me.js'
import getProfile from './get-profile.js'
import listTokens from './list-tokens.js'
import putAvatar from './put-avatar.js'
import updateMe from './update-me.js'

/** Users: their own accounts, tokens and pictures, and one another's profiles: register with the prefix `/users`. */
const users: FastifyPluginAsyncTypebox<CreateUserOptions> = async (fastify, { registration }) => {
  await fastify.register(createUser, { registration })
  await fastify.register(getMe)
  await fastify.register(updateMe)
  await fastify.register(createToken)
  await fastify.register(listTokens)
  await fastify.register(deleteToken)
  await fastify.register(getProfile)
  await fastify.register(putAvatar)
  await fastify.register(deleteAvatar)
  await fastify.register(getAvatar)
}

export default users
