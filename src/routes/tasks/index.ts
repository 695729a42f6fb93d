import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import createTask from './create-task.js'
import deleteTask from './delete-task.js'
import getTask from './get-task.js'
import listTasks from './list-tasks.js'
import restoreTask from './restore-task.js'
import updateTask from './update-task.js'

/** The task resource: register with the prefix `/tasks`. */
const tasks: FastifyPluginAsyncTypebox = async (fastify) => {
  await fastify.register(createTask)
  await fastify.register(listTasks)
  await fastify.register(getTask)
  await fastify.register(updateTask)
  await fastify.register(deleteTask)
  await fastify.register(restoreTask)
}

export default tasks
