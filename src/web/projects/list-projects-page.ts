import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { principalOf } from '../../plugins/app/authentication.js'
import { visibleProjects } from '../project-access.js'
import { renderPage } from '../render-page.js'

/** The projects one sees, by slug, with one's role in each. */
const listProjectsPage: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get('/', { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) => {
    const projects = await visibleProjects(fastify.db, principalOf(request))
    return renderPage(reply, 'projects/list', { title: 'Projects', projects })
  })
}

export default listProjectsPage
