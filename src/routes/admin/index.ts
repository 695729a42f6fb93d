import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import getUser from './get-user.js'
import listUsers from './list-users.js'
import updateUser from './update-user.js'

/** Managing users (scope `users:admin`): register with the prefix `/admin/users`. */
const adminUsers: FastifyPluginAsyncTypebox = async (fastify) => {
  await fastify.register(listUsers)
  await fastify.register(getUser)
  await fastify.register(updateUser)
}

export default adminUsers
