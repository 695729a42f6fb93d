import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { principalOf } from '../../plugins/app/authentication.js'
import { problemResponses } from '../../problems/problem-responses.js'
import { SlugParams } from '../../schemas/project.js'
import { movedResponse, projectRefusalProblem, redirectOrNotFound } from './project-problems.js'

const deleteProject: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.delete('/:slug', {
    config: { access: 'projects:write' },
    schema: {
      operationId: 'deleteProject',
      summary: 'Delete a project',
      description: 'Deletes a project and its memberships (owners and administrators). A project that still holds tasks that are not deleted is refused (409): move or delete them first. Its deleted tasks stay, outside any project, visible to their creators.',
      tags: ['Projects'],
      params: SlugParams,
      response: {
        204: Type.Null({ description: 'The project was deleted.' }),
        308: movedResponse,
        ...problemResponses('malformed-json', 'bad-request', 'forbidden', 'not-found', 'project-not-empty', 'payload-too-large', 'unsupported-media-type', 'validation', 'rate-limited')
      }
    }
  }, async (request, reply) => {
    const { slug } = request.params
    const viewer = principalOf(request)
    const deleted = await fastify.db.projects.delete(viewer, slug)
    if (deleted === 'not-found') return redirectOrNotFound(request, reply, slug, await fastify.db.projects.find(viewer, slug))
    if (deleted !== true) throw projectRefusalProblem(deleted, slug)
    return reply.code(204).send(null)
  })
}

export default deleteProject
