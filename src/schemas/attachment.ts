import { Type, type Static } from '@sinclair/typebox'
import { TaskId } from './task.js'
import { Timestamp } from './timestamp.js'
import { Username } from './user.js'

export const Attachment = Type.Object({
  id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'The attachment\'s id: attachments of one task are listed in its order.' }),
  task_id: { ...TaskId, description: 'The task it is attached to.' },
  filename: Type.String({ description: 'The file\'s name as it is shown and offered for download: the uploaded name, sanitised.' }),
  size: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'The file\'s length in bytes.' }),
  content_type: Type.String({ description: 'The media type the file is served with.' }),
  sha256: Type.String({ pattern: '^[0-9a-f]{64}$', description: 'The SHA-256 of the file\'s content, in lowercase hex: files with the same content are stored once.' }),
  created_by: { ...Username, description: 'The username of who attached it.' },
  created_at: Timestamp
}, { $id: 'Attachment', title: 'Attachment', additionalProperties: false })
export type Attachment = Static<typeof Attachment>
