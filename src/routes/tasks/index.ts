import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import completeTask from './complete-task.js'
import createComment from './create-comment.js'
import createTask from './create-task.js'
import deleteTask from './delete-task.js'
import getTask from './get-task.js'
import listComments from './list-comments.js'
import listTasks from './list-tasks.js'
import replaceTask from './replace-task.js'
import restoreTask from './restore-task.js'
import type { TaskRouteOptions } from './task-route-options.js'
import updateTask from './update-task.js'

/** The task resource: register with the prefix `/tasks`. */
const tasks: FastifyPluginAsyncTypebox<TaskRouteOptions> = async (fastify, { requireIfMatch }) => {
  // Only the routes' own options: passing the prefix on would nest it.
  const options = { requireIfMatch }
  await fastify.register(createTask)
  await fastify.register(listTasks)
  await fastify.register(getTask)
  await fastify.register(updateTask, options)
  await fastify.register(replaceTask, options)
  await fastify.register(deleteTask, options)
  await fastify.register(restoreTask, options)
  await fastify.register(completeTask, options)
  await fastify.register(createComment)
  await fastify.register(listComments)
}

export default tasks
