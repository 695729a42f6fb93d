import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { principalOf } from '../../plugins/app/authentication.js'
import { problemResponses } from '../../problems/problem-responses.js'
import { Project, ProjectUpdate, SlugParams } from '../../schemas/project.js'
import { Ref } from '../../schemas/type-helpers.js'
import { trimFields } from '../trim-fields.js'
import { movedResponse, projectRefusalProblem, redirectOrNotFound } from './project-problems.js'

const updateProject: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.patch('/:slug', {
    config: { access: 'projects:write' },
    preValidation: trimFields('name'),
    schema: {
      operationId: 'updateProject',
      summary: 'Change a project',
      description: 'Changes a project\'s name, slug or description (owners and administrators). A new slug keeps the old one answering, with a 308 redirect to the new one, until another project takes it; the project\'s tasks then show the new slug, with a new `version` and ETag.',
      tags: ['Projects'],
      params: SlugParams,
      body: Ref(ProjectUpdate),
      response: {
        200: Ref(Project, { description: 'The project after the change.' }),
        308: movedResponse,
        ...problemResponses('malformed-json', 'bad-request', 'forbidden', 'not-found', 'already-exists', 'payload-too-large', 'unsupported-media-type', 'validation', 'rate-limited')
      }
    }
  }, async (request, reply) => {
    const { slug } = request.params
    const viewer = principalOf(request)
    const updated = await fastify.db.projects.update(viewer, slug, request.body)
    if (updated === 'not-found') return redirectOrNotFound(request, reply, slug, await fastify.db.projects.find(viewer, slug))
    if (typeof updated === 'string') throw projectRefusalProblem(updated, slug)
    return updated
  })
}

export default updateProject
