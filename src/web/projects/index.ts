import type { FastifyPluginAsync } from 'fastify'
import listProjectsPage from './list-projects-page.js'
import projectPage from './project-page.js'

/** The project pages, under /web/projects. */
const projectPages: FastifyPluginAsync = async (fastify) => {
  await fastify.register(listProjectsPage)
  await fastify.register(projectPage)
}

export default projectPages
