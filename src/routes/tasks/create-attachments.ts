import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { closeUnreadBody, receiveFiles } from '../../files/received-files.js'
import { principalOf } from '../../plugins/app/authentication.js'
import multipartPlugin from '../../plugins/external/multipart.js'
import { ProblemError } from '../../problems/problem-error.js'
import { problemResponses } from '../../problems/problem-responses.js'
import { AttachedFiles, AttachmentUpload } from '../../schemas/attachment.js'
import { TaskIdParams } from '../../schemas/task.js'
import { Ref } from '../../schemas/type-helpers.js'
import { attachmentLocation } from '../attachments/attachment-location.js'
import { refusalProblem } from './task-problems.js'

export interface AttachmentSettings {
  /** ATTACHMENT_MAX_BYTES */
  maxBytes: number
  /** ATTACHMENTS_PER_TASK */
  maxPerTask: number
}

const createAttachments: FastifyPluginAsyncTypebox<AttachmentSettings> = async (fastify, { maxBytes, maxPerTask }) => {
  await fastify.register(multipartPlugin, { parts: 'files' })
  const limitReached = (taskId: number) => new ProblemError('attachment-limit-reached', `Task ${taskId} may have at most ${maxPerTask} attachments (ATTACHMENTS_PER_TASK): remove some before attaching more.`)

  fastify.post('/:task_id/attachments', {
    config: { access: 'tasks:write' },
    onError: closeUnreadBody,
    schema: {
      operationId: 'createAttachments',
      summary: 'Attach files to a task',
      description: `Uploads one or more files (multipart/form-data, each a part named \`file\`) to a task you may change, 1 byte to ${maxBytes} bytes each (ATTACHMENT_MAX_BYTES), up to ${maxPerTask} attachments per task (ATTACHMENTS_PER_TASK). Each file is streamed to disk and stored once per content (by its SHA-256); its type is told from its bytes, whatever the part declared; its name is shown without any path or control characters. All or nothing: when one file is refused, none is attached.`,
      tags: ['Attachments'],
      consumes: ['multipart/form-data'],
      params: TaskIdParams,
      body: { content: { 'multipart/form-data': { schema: AttachmentUpload } } },
      response: {
        201: Ref(AttachedFiles, {
          description: 'The attachments made, one per file.',
          headers: { Location: Type.String({ description: 'The new attachment\'s URL, when one file was sent.' }) }
        }),
        ...problemResponses('bad-request', 'forbidden', 'not-found', 'payload-too-large', 'unsupported-media-type', 'validation', 'attachment-limit-reached', 'rate-limited')
      }
    }
  }, async (request, reply) => {
    const viewer = principalOf(request)
    const taskId = request.params.task_id
    // Who may not attach, or where nothing more fits, is told before a byte of the body is read.
    const room = await fastify.db.attachments.room(viewer, taskId, maxPerTask)
    if (typeof room === 'string') throw refusalProblem(room, taskId)
    if (room === 0) throw limitReached(taskId)
    const received = await receiveFiles(request, fastify.uploads, { field: 'file', maxBytes, maxFiles: room, tooMany: () => limitReached(taskId) })
    for (const { blob } of received) await fastify.uploads.keep(blob)
    const attached = await fastify.db.attachments.create(viewer, taskId, received.map(({ blob, filename, contentType }) => ({ filename, contentType, size: blob.size, sha256: blob.sha256 })), maxPerTask)
    // Refused only when the task changed hands or filled up while the files came in: their blobs are swept.
    if (attached === 'too-many') throw limitReached(taskId)
    if (typeof attached === 'string') throw refusalProblem(attached, taskId)
    const [first, ...others] = attached
    if (first !== undefined && others.length === 0) reply.header('location', attachmentLocation(first))
    return reply.code(201).send({ items: attached })
  })
}

export default createAttachments
