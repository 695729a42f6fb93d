import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import createToken from './create-token.js'
import createUser, { type CreateUserOptions } from './create-user.js'
import deleteToken from './delete-token.js'
import getMe from './get-me.js'
import listTokens from './list-tokens.js'
import updateMe from './update-me.js'

/** Users and their own accounts and tokens: register with the prefix `/users`. */
const users: FastifyPluginAsyncTypebox<CreateUserOptions> = async (fastify, { registration }) => {
  await fastify.register(createUser, { registration })
  await fastify.register(getMe)
  await fastify.register(updateMe)
  await fastify.register(createToken)
  await fastify.register(listTokens)
  await fastify.register(deleteToken)
}

export default users
