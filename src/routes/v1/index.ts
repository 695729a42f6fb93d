import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import listTasks from './list-tasks.js'

/**
 * Version 1's own routes: register with the prefix `/v1/tasks`. Only its
 * list differs from version 2; its other requests are routed to version 2's
 * routes (src/api-versions.ts).
 */
const v1: FastifyPluginAsyncTypebox = async (fastify) => {
  await fastify.register(listTasks)
}

export default v1
