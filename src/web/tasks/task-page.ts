import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply } from 'fastify'
import type { Viewer } from '../../db/viewer.js'
import { principalOf } from '../../plugins/app/authentication.js'
import { refusalProblem, taskNotFound } from '../../routes/tasks/task-problems.js'
import { TaskIdParams, type Task } from '../../schemas/task.js'
import { backUrl, pageUrl } from '../back-url.js'
import { formText } from '../form-text.js'
import type { FieldErrors } from '../form-validation.js'
import { visibleProjects, writesIn } from '../project-access.js'
import { renderPage } from '../render-page.js'
import { projectErrors, sentTaskFormValues, taskChanges, taskFormValues, type TaskFormValues } from './task-form.js'
import { taskFormOptions } from './task-form-options.js'
import { TASK_LABELS } from './task-labels.js'

interface TaskPageState {
  values: TaskFormValues
  /** The version the form was filled in from: saving it changes the task only if it is still at that version. */
  version: number
  errors?: FieldErrors
  /** The task as it is now, when it changed after the form was filled in. */
  conflict?: Task
}

/**
 * A task's page: its edit form for whoever may change it, its fields for a
 * project's viewer; and the form's POST. Saving sends the version the form
 * was filled in from, and changes the task only if it is still at it: when
 * someone changed it meanwhile, nothing is overwritten, and the form comes
 * back (409) with the person's values, the task as it is now, and the new
 * version, so that saving again is a choice made knowing both.
 */
const taskPage: FastifyPluginAsyncTypebox = async (fastify) => {
  const render = async (reply: FastifyReply, viewer: Viewer, task: Task, back: string, state: TaskPageState, status = 200) => {
    const projects = await visibleProjects(fastify.db, viewer)
    const project = projects.find((candidate) => candidate.slug === task.project)
    const mayChange = task.project === null || (project !== undefined && writesIn(viewer, project))
    return renderPage(reply, 'tasks/task', {
      title: task.title,
      task,
      mayChange,
      back,
      errors: {},
      ...TASK_LABELS,
      ...state,
      ...taskFormOptions(projects.filter((candidate) => writesIn(viewer, candidate)))
    }, status)
  }

  fastify.get('/:task_id', {
    config: { access: 'public' },
    // `back`: the list the person came from, with its filters, where the page's buttons go back to.
    schema: { hide: true, params: TaskIdParams, querystring: Type.Object({ back: Type.Optional(Type.String()) }) }
  }, async (request, reply) => {
    const viewer = principalOf(request)
    const id = request.params.task_id
    const task = await fastify.db.tasks.findById(viewer, id)
    if (task === undefined) throw taskNotFound(id)
    const back = pageUrl(request.query.back ?? '', fastify.prefix)
    return render(reply, viewer, task, back, { values: taskFormValues(task), version: task.version })
  })

  fastify.post('/:task_id', {
    config: { access: 'public' },
    schema: { hide: true, params: TaskIdParams }
  }, async (request, reply) => {
    const viewer = principalOf(request)
    const id = request.params.task_id
    const values = sentTaskFormValues(request.body)
    const version = Number(formText(request.body, 'version'))
    const back = backUrl(request.body, fastify.prefix)
    const current = async () => {
      const task = await fastify.db.tasks.findById(viewer, id)
      if (task === undefined) throw taskNotFound(id)
      return task
    }
    const checked = taskChanges(values)
    if (checked.errors !== undefined) return render(reply, viewer, await current(), back, { values, version, errors: checked.errors }, 422)
    const result = await fastify.db.tasks.update(viewer, id, checked.value, { precondition: (task) => task.version === version })
    if (result === 'precondition-failed') {
      const task = await current()
      return render(reply, viewer, task, back, { values, version: task.version, conflict: task }, 409)
    }
    if (result === 'project-not-found' || result === 'project-forbidden') return render(reply, viewer, await current(), back, { values, version, errors: projectErrors(result) }, 422)
    if (typeof result === 'string') throw refusalProblem(result, id)
    request.flash('success', `Task “${result.title}” saved.`)
    return reply.redirect(back, 303)
  })
}

export default taskPage
