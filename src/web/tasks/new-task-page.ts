import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply } from 'fastify'
import type { Viewer } from '../../db/viewer.js'
import { principalOf } from '../../plugins/app/authentication.js'
import type { FieldErrors } from '../form-validation.js'
import { visibleProjects, writesIn } from '../project-access.js'
import { renderPage } from '../render-page.js'
import { projectErrors, sentTaskFormValues, taskCreate, taskFormValues, type TaskFormValues } from './task-form.js'
import { taskFormOptions } from './task-form-options.js'

/**
 * The form for a new task, and its POST: checked as POST /tasks checks its
 * body; when something is wrong, the form again (422) with every value kept
 * and a message by each wrong field; when it is right, the task is created
 * and the browser sent to the list (303) with a one-time message.
 */
const newTaskPage: FastifyPluginAsyncTypebox = async (fastify) => {
  const renderForm = async (reply: FastifyReply, viewer: Viewer, values: TaskFormValues, errors: FieldErrors = {}, status = 200) => {
    const projects = (await visibleProjects(fastify.db, viewer)).filter((project) => writesIn(viewer, project))
    return renderPage(reply, 'tasks/new', { title: 'New task', values, errors, ...taskFormOptions(projects) }, status)
  }

  fastify.get('/new', {
    config: { access: 'public' },
    schema: { hide: true, querystring: Type.Object({ project: Type.Optional(Type.String()) }) }
  }, async (request, reply) => renderForm(reply, principalOf(request), taskFormValues(undefined, request.query.project)))

  fastify.post('/', { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) => {
    const viewer = principalOf(request)
    const values = sentTaskFormValues(request.body)
    const checked = taskCreate(values)
    if (checked.errors !== undefined) return renderForm(reply, viewer, values, checked.errors, 422)
    const created = await fastify.db.tasks.create(viewer, checked.value)
    if (typeof created === 'string') return renderForm(reply, viewer, values, projectErrors(created), 422)
    request.flash('success', `Task “${created.title}” created.`)
    return reply.redirect(`${fastify.prefix}`, 303)
  })
}

export default newTaskPage
