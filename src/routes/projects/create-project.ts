import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { principalOf } from '../../plugins/app/authentication.js'
import { problemResponses } from '../../problems/problem-responses.js'
import { Project, ProjectCreate } from '../../schemas/project.js'
import { Ref } from '../../schemas/type-helpers.js'
import { trimFields } from '../trim-fields.js'
import { projectRefusalProblem } from './project-problems.js'
import { slugFromName } from './project-slug.js'

const createProject: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post('/', {
    config: { access: 'projects:write' },
    preValidation: trimFields('name'),
    schema: {
      operationId: 'createProject',
      summary: 'Create a project',
      description: 'Creates a project, with you as its owner. Without a `slug`, one is made from the name ("Café déjà vu!" becomes `cafe-deja-vu`, or `cafe-deja-vu-2` when that is taken); a `slug` you give that is taken is a 409 naming it.',
      tags: ['Projects'],
      body: Ref(ProjectCreate),
      response: {
        201: Ref(Project, {
          description: 'The project as created.',
          headers: { Location: Type.String({ description: 'The URL of the new project.' }) }
        }),
        ...problemResponses('malformed-json', 'already-exists', 'payload-too-large', 'unsupported-media-type', 'validation', 'rate-limited')
      }
    }
  }, async (request, reply) => {
    const { name, slug, description = null } = request.body
    const created = await fastify.db.projects.create(principalOf(request), {
      name,
      description,
      slug: slug ?? slugFromName(name),
      derived: slug === undefined
    })
    if (created === 'slug-taken') throw projectRefusalProblem(created, slug as string)
    return reply.code(201).header('location', `/projects/${created.slug}`).send(created)
  })
}

export default createProject
