import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Task } from '../../schemas/task.js'
import type { Viewer } from '../../db/viewer.js'
import type { WriteRefusal } from '../../db/database.js'
import { principalOf } from '../../plugins/app/authentication.js'
import { refusalProblem } from '../../routes/tasks/task-problems.js'
import { TaskIdParams } from '../../schemas/task.js'
import { backUrl } from '../back-url.js'
import type { Database } from '../../db/database.js'

interface TaskAction {
  /** The last part of the action's path: POST /web/tasks/{id}/{path}. */
  path: string
  act: (db: Database, viewer: Viewer, id: number) => Promise<Task | WriteRefusal>
  /** The one-time message once it is done. */
  done: (task: Task) => string
}

const ACTIONS: TaskAction[] = [
  { path: 'complete', act: (db, viewer, id) => db.tasks.update(viewer, id, { status: 'done' }), done: (task) => `Task “${task.title}” is done.` },
  { path: 'delete', act: (db, viewer, id) => db.tasks.softDelete(viewer, id), done: (task) => `Task “${task.title}” deleted. Show deleted tasks to restore it.` },
  { path: 'restore', act: (db, viewer, id) => db.tasks.restore(viewer, id), done: (task) => `Task “${task.title}” restored.` }
]

/**
 * The buttons of the list and of a task's page: complete, delete (soft, as
 * DELETE /tasks/{id}) and restore, each a form POST that goes back to the
 * page it came from (303) with a one-time message; the same refusals as the
 * API's (404 for a task one may not see, 403 for a project's viewer).
 */
const taskActions: FastifyPluginAsyncTypebox = async (fastify) => {
  for (const { path, act, done } of ACTIONS) {
    fastify.post(`/:task_id/${path}`, {
      config: { access: 'public' },
      schema: { hide: true, params: TaskIdParams }
    }, async (request, reply) => {
      const id = request.params.task_id
      const result = await act(fastify.db, principalOf(request), id)
      if (typeof result === 'string') throw refusalProblem(result, id)
      request.flash('success', done(result))
      return reply.redirect(backUrl(request.body, fastify.prefix), 303)
    })
  }
}

export default taskActions
