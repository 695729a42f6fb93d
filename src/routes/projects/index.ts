import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import createProject from './create-project.js'
import deleteMember from './delete-member.js'
import deleteProject from './delete-project.js'
import getProject from './get-project.js'
import listMembers from './list-members.js'
import listProjects from './list-projects.js'
import putMember from './put-member.js'
import updateProject from './update-project.js'

/** Projects and their members: register with the prefix `/projects`. */
const projects: FastifyPluginAsyncTypebox = async (fastify) => {
  await fastify.register(createProject)
  await fastify.register(listProjects)
  await fastify.register(getProject)
  await fastify.register(updateProject)
  await fastify.register(deleteProject)
  await fastify.register(listMembers)
  await fastify.register(putMember)
  await fastify.register(deleteMember)
}

export default projects
