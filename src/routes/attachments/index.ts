import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import deleteAttachment from './delete-attachment.js'
import downloadAttachment from './download-attachment.js'
import getAttachment from './get-attachment.js'

/** Attachments by their own id: register with the prefix `/attachments`. They are made and listed under their task (`/tasks/{task_id}/attachments`). */
const attachments: FastifyPluginAsyncTypebox = async (fastify) => {
  await fastify.register(getAttachment)
  await fastify.register(downloadAttachment)
  await fastify.register(deleteAttachment)
}

export default attachments
