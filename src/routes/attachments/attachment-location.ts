import type { Attachment } from '../../schemas/attachment.js'

/** Where an attachment's metadata is: its Location when created. */
export const attachmentLocation = (attachment: Attachment) => `/attachments/${attachment.id}`
