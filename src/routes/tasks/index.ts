import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import completeTask from './complete-task.js'
import createAttachments, { type AttachmentSettings } from './create-attachments.js'
import createComment from './create-comment.js'
import createTask from './create-task.js'
import deleteTask from './delete-task.js'
import getTask from './get-task.js'
import getTaskWeather from './get-task-weather.js'
import listAttachments from './list-attachments.js'
import listComments from './list-comments.js'
import listTasks from './list-tasks.js'
import replaceTask from './replace-task.js'
import restoreTask from './restore-task.js'
import type { TaskRouteOptions } from './task-route-options.js'
import updateTask from './update-task.js'

/** The task resource: register with the prefix `/tasks`. */
export interface TaskResourceOptions extends TaskRouteOptions {
  attachments: AttachmentSettings
}

const tasks: FastifyPluginAsyncTypebox<TaskResourceOptions> = async (fastify, { requireIfMatch, attachments }) => {
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
  await fastify.register(createAttachments, attachments)
  await fastify.register(listAttachments)
  await fastify.register(getTaskWeather)
}

export default tasks
