import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { principalOf } from '../../plugins/app/authentication.js'
import { problemResponses } from '../../problems/problem-responses.js'
import { PageQuery } from '../../schemas/page.js'
import { ProjectList } from '../../schemas/project.js'
import { Ref } from '../../schemas/type-helpers.js'
import { keyedPageBody, keyedPageRequest, refuseCursorWithOffset } from '../paging.js'

const listProjects: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get('/', {
    config: { access: 'projects:read' },
    preValidation: refuseCursorWithOffset,
    schema: {
      operationId: 'listProjects',
      summary: 'List projects',
      description: 'The projects you are a member of (an administrator: every project), by slug, a page at a time (by `offset` or `cursor`, as tasks are). Each says your role in it.',
      tags: ['Projects'],
      querystring: PageQuery,
      response: {
        200: Ref(ProjectList, {
          description: 'One page of projects.',
          headers: { Link: Type.String({ description: 'RFC 8288 link to the next page; absent on the last page.' }) }
        }),
        ...problemResponses('validation', 'rate-limited')
      }
    }
  }, async (request, reply) => {
    const viewer = principalOf(request)
    const list = ['projects', viewer.userId]
    const projects = await fastify.db.projects.list(viewer, keyedPageRequest(request.query, list))
    return keyedPageBody(request, reply, request.query, list, projects, (project) => project.slug)
  })
}

export default listProjects
