import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { principalOf } from '../../plugins/app/authentication.js'
import { problemResponses } from '../../problems/problem-responses.js'
import { Project, SlugParams } from '../../schemas/project.js'
import { Ref } from '../../schemas/type-helpers.js'
import { movedResponse, redirectOrNotFound } from './project-problems.js'

const getProject: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get('/:slug', {
    config: { access: 'projects:read' },
    schema: {
      operationId: 'getProject',
      summary: 'Get a project',
      description: 'One project you can see, with your role in it. A project you cannot see is not found, exactly as one that does not exist. A renamed project\'s old slug answers with a 308 redirect to the new one.',
      tags: ['Projects'],
      params: SlugParams,
      response: {
        200: Ref(Project, { description: 'The project.' }),
        308: movedResponse,
        ...problemResponses('bad-request', 'not-found', 'validation', 'rate-limited')
      }
    }
  }, async (request, reply) => {
    const { slug } = request.params
    const found = await fastify.db.projects.find(principalOf(request), slug)
    if (found !== undefined && 'project' in found) return found.project
    return redirectOrNotFound(request, reply, slug, found)
  })
}

export default getProject
