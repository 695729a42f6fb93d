import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { principalOf } from '../../plugins/app/authentication.js'
import { problemResponses } from '../../problems/problem-responses.js'
import { MemberParams } from '../../schemas/project.js'
import { movedResponse, projectRefusalProblem, redirectOrNotFound } from './project-problems.js'

const deleteMember: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.delete('/:slug/members/:username', {
    config: { access: 'projects:write' },
    schema: {
      operationId: 'deleteProjectMember',
      summary: 'Remove a member, or leave',
      description: 'Removes the user from the project: owners and administrators may remove anyone, any member themselves (leaving). They stop seeing the project and its tasks at once. The last owner cannot leave (409).',
      tags: ['Projects'],
      params: MemberParams,
      response: {
        204: Type.Null({ description: 'The user is no longer a member.' }),
        308: movedResponse,
        ...problemResponses('malformed-json', 'bad-request', 'forbidden', 'not-found', 'last-owner', 'payload-too-large', 'unsupported-media-type', 'validation', 'rate-limited')
      }
    }
  }, async (request, reply) => {
    const { slug, username } = request.params
    const viewer = principalOf(request)
    const result = await fastify.db.projects.removeMember(viewer, slug, username)
    if (result === 'not-found') return redirectOrNotFound(request, reply, slug, await fastify.db.projects.find(viewer, slug))
    if (result !== true) throw projectRefusalProblem(result, slug, username)
    return reply.code(204).send(null)
  })
}

export default deleteMember
