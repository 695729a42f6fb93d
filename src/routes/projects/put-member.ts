import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { principalOf } from '../../plugins/app/authentication.js'
import { problemResponses } from '../../problems/problem-responses.js'
import { Member, MemberParams, MemberPut } from '../../schemas/project.js'
import { Ref } from '../../schemas/type-helpers.js'
import { movedResponse, projectRefusalProblem, redirectOrNotFound } from './project-problems.js'

const putMember: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.put('/:slug/members/:username', {
    config: { access: 'projects:write' },
    schema: {
      operationId: 'putProjectMember',
      summary: 'Add a member, or change their role',
      description: 'Makes the user a `viewer` (reads the project and its tasks), an `editor` (also writes its tasks) or an `owner` (also manages the project and its members) of the project. Owners and administrators only. The last owner cannot be demoted (409).',
      tags: ['Projects'],
      params: MemberParams,
      body: Ref(MemberPut),
      response: {
        200: Ref(Member, { description: 'The member\'s role was changed.' }),
        201: Ref(Member, { description: 'The user was added.' }),
        308: movedResponse,
        ...problemResponses('malformed-json', 'bad-request', 'forbidden', 'not-found', 'last-owner', 'payload-too-large', 'unsupported-media-type', 'validation', 'rate-limited')
      }
    }
  }, async (request, reply) => {
    const { slug, username } = request.params
    const viewer = principalOf(request)
    const result = await fastify.db.projects.putMember(viewer, slug, username, request.body.role)
    if (result === 'not-found') return redirectOrNotFound(request, reply, slug, await fastify.db.projects.find(viewer, slug))
    if (typeof result === 'string') throw projectRefusalProblem(result, slug, username)
    return reply.code(result.created ? 201 : 200).send(result.member)
  })
}

export default putMember
