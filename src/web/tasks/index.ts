import type { FastifyPluginAsync } from 'fastify'
import listTasksPage from './list-tasks-page.js'
import newTaskPage from './new-task-page.js'
import taskActions from './task-actions.js'
import taskPage from './task-page.js'

/** The task pages, under /web/tasks. */
const taskPages: FastifyPluginAsync = async (fastify) => {
  await fastify.register(listTasksPage)
  await fastify.register(newTaskPage)
  await fastify.register(taskPage)
  await fastify.register(taskActions)
}

export default taskPages
