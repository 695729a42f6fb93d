import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { principalOf } from '../../plugins/app/authentication.js'
import { problemResponses } from '../../problems/problem-responses.js'
import { PageQuery } from '../../schemas/page.js'
import { MemberList, SlugParams } from '../../schemas/project.js'
import { Ref } from '../../schemas/type-helpers.js'
import { keyedPageBody, keyedPageRequest, refuseCursorWithOffset } from '../paging.js'
import { movedResponse, redirectOrNotFound } from './project-problems.js'

const listMembers: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get('/:slug/members', {
    config: { access: 'projects:read' },
    preValidation: refuseCursorWithOffset,
    schema: {
      operationId: 'listProjectMembers',
      summary: 'List a project\'s members',
      description: 'The members of a project you can see, with their roles, by username, a page at a time.',
      tags: ['Projects'],
      params: SlugParams,
      querystring: PageQuery,
      response: {
        200: Ref(MemberList, {
          description: 'One page of members.',
          headers: { Link: Type.String({ description: 'RFC 8288 link to the next page; absent on the last page.' }) }
        }),
        308: movedResponse,
        ...problemResponses('bad-request', 'not-found', 'validation', 'rate-limited')
      }
    }
  }, async (request, reply) => {
    const { slug } = request.params
    const viewer = principalOf(request)
    const list = ['members', slug, viewer.userId]
    const members = await fastify.db.projects.members(viewer, slug, keyedPageRequest(request.query, list))
    if (members === 'not-found') return redirectOrNotFound(request, reply, slug, await fastify.db.projects.find(viewer, slug))
    return keyedPageBody(request, reply, request.query, list, members, (member) => member.username)
  })
}

export default listMembers
