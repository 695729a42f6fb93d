import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { principalOf } from '../../plugins/app/authentication.js'
import { ProblemError } from '../../problems/problem-error.js'
import { SlugParams } from '../../schemas/project.js'
import type { Member } from '../../schemas/project.js'
import { writesIn } from '../project-access.js'
import { renderPage } from '../render-page.js'
import { WEB_PREFIX } from '../web-prefix.js'

const MEMBERS_PAGE = 100
// The project's latest tasks; the task list filtered by the project has them all.
const TASKS_SHOWN = 20

/**
 * A project's page: its name and description, its members and their roles,
 * and its latest tasks. A project one may not see is a 404, as in the API;
 * an old slug sends to the new one.
 */
const projectPage: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get('/:slug', {
    config: { access: 'public' },
    schema: { hide: true, params: SlugParams }
  }, async (request, reply) => {
    const viewer = principalOf(request)
    const { slug } = request.params
    const notFound = new ProblemError('not-found', `Project ${slug} was not found.`)
    const found = await fastify.db.projects.find(viewer, slug)
    if (found === undefined) throw notFound
    if ('movedTo' in found) return reply.redirect(`${WEB_PREFIX}/projects/${found.movedTo}`, 301)
    const members: Member[] = []
    for (let offset = 0; ; offset += MEMBERS_PAGE) {
      const page = await fastify.db.projects.members(viewer, slug, { limit: MEMBERS_PAGE, offset })
      if (page === 'not-found') throw notFound
      members.push(...page.items)
      if (!page.hasMore) break
    }
    const tasks = await fastify.db.tasks.list(viewer, { project: slug, limit: TASKS_SHOWN, offset: 0, sort_by: 'created_at', sort_order: 'desc', include_deleted: false })
    if (tasks === 'project-not-found') throw notFound
    return renderPage(reply, 'projects/project', {
      title: found.project.name,
      project: found.project,
      members,
      tasks,
      mayAddTasks: writesIn(viewer, found.project),
      back: request.url
    })
  })
}

export default projectPage
