import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { principalOf } from '../../plugins/app/authentication.js'
import { problemResponses } from '../../problems/problem-responses.js'
import { Attachment, AttachmentIdParams } from '../../schemas/attachment.js'
import { Ref } from '../../schemas/type-helpers.js'
import { attachmentNotFound } from './attachment-problems.js'

const getAttachment: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get('/:attachment_id', {
    config: { access: 'tasks:read' },
    schema: {
      operationId: 'getAttachment',
      summary: 'Get an attachment',
      description: 'The attachment\'s metadata; its `url` is where its content is downloaded. Whoever cannot see its task (or when the task is soft-deleted) gets 404.',
      tags: ['Attachments'],
      params: AttachmentIdParams,
      response: {
        200: Ref(Attachment, { description: 'The attachment.' }),
        ...problemResponses('bad-request', 'not-found', 'validation', 'rate-limited')
      }
    }
  }, async (request) => {
    const attachment = await fastify.db.attachments.find(principalOf(request), request.params.attachment_id)
    if (attachment === undefined) throw attachmentNotFound(request.params.attachment_id)
    return attachment
  })
}

export default getAttachment
