import { Type, type Static } from '@sinclair/typebox'
import { Page } from './page.js'
import { TaskId } from './task.js'
import { Timestamp } from './timestamp.js'
import { Ref } from './type-helpers.js'
import { Username } from './user.js'

const AttachmentId = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'The attachment\'s id: attachments of one task are listed in its order.' })

export const Attachment = Type.Object({
  id: AttachmentId,
  task_id: { ...TaskId, description: 'The task it is attached to.' },
  filename: Type.String({ description: 'The file\'s name as it is shown and offered for download: the uploaded name\'s last part, without control or bidirectional-override characters, at most 255 characters; `file` when nothing is left of it.' }),
  size: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'The file\'s length in bytes.' }),
  content_type: Type.String({ description: 'The media type the file is served with, told from its bytes (what the client declared is ignored): `application/octet-stream` when they say nothing known.' }),
  sha256: Type.String({ pattern: '^[0-9a-f]{64}$', description: 'The SHA-256 of the file\'s content, in lowercase hex, and its strong ETag: files with the same content are stored once.' }),
  created_by: { ...Username, description: 'The username of who attached it.' },
  created_at: Timestamp,
  url: Type.String({ format: 'uri-reference', description: 'Where its content is downloaded (GET), relative to this server.' })
}, { $id: 'Attachment', title: 'Attachment', additionalProperties: false })
export type Attachment = Static<typeof Attachment>

export const AttachmentList = Page(Ref(Attachment), { $id: 'AttachmentList', description: 'One page of a task\'s attachments, oldest first.' })
export type AttachmentList = Static<typeof AttachmentList>

export const AttachedFiles = Type.Object({
  items: Type.Array(Ref(Attachment), { minItems: 1, description: 'One attachment per file, in the order they were sent.' })
}, { $id: 'AttachedFiles', title: 'AttachedFiles', description: 'The attachments an upload made.', additionalProperties: false })
export type AttachedFiles = Static<typeof AttachedFiles>

/**
 * The upload form, for the OpenAPI document (a file picker in Swagger UI):
 * the route reads the parts as they stream in and checks them itself.
 */
export const AttachmentUpload = Type.Object({
  file: Type.Array(Type.String({ format: 'binary' }), {
    minItems: 1,
    description: 'The files, one part each, all named `file`: each one 1 byte or more, up to ATTACHMENT_MAX_BYTES.'
  })
}, { title: 'AttachmentUpload', required: ['file'], additionalProperties: false })

export const AttachmentIdParams = Type.Object({
  attachment_id: AttachmentId
}, { additionalProperties: false })
export type AttachmentIdParams = Static<typeof AttachmentIdParams>
