import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { principalOf } from '../../plugins/app/authentication.js'
import { problemResponses } from '../../problems/problem-responses.js'
import { AttachmentIdParams } from '../../schemas/attachment.js'
import { attachmentForbidden, attachmentNotFound } from './attachment-problems.js'

const deleteAttachment: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.delete('/:attachment_id', {
    config: { access: 'tasks:write' },
    schema: {
      operationId: 'deleteAttachment',
      summary: 'Remove an attachment',
      description: 'Removes the attachment from its task, which you may change. Its file is removed from the disk once no attachment refers to its content (and it was stored longer ago than UPLOAD_GRACE_MS; otherwise by the next sweep).',
      tags: ['Attachments'],
      params: AttachmentIdParams,
      response: {
        204: Type.Null({ description: 'The attachment was removed.' }),
        ...problemResponses('bad-request', 'forbidden', 'not-found', 'validation', 'rate-limited')
      }
    }
  }, async (request, reply) => {
    const id = request.params.attachment_id
    const removed = await fastify.db.attachments.delete(principalOf(request), id)
    if (removed === 'not-found') throw attachmentNotFound(id)
    if (removed === 'forbidden') throw attachmentForbidden(id)
    await fastify.removeUnreferencedUpload(removed.sha256, request.log)
    return reply.code(204).send(null)
  })
}

export default deleteAttachment
