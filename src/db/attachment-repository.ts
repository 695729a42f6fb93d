import type { Attachment } from '../schemas/attachment.js'
import type { Page, PageRequest } from './page.js'
import type { Viewer } from './viewer.js'

/** A file already in the blob store, as it is to be attached to a task. */
export interface AttachedFile {
  /** The name to show, already sanitised. */
  filename: string
  size: number
  contentType: string
  /** The content's SHA-256 in lowercase hex: its name in the blob store. */
  sha256: string
}

/**
 * Why an attachment cannot be made or removed: its task does not exist, is
 * soft-deleted or is not one the viewer may see ('not-found'); or the viewer
 * sees it but is a viewer of its project ('forbidden').
 */
export type AttachmentRefusal = 'not-found' | 'forbidden'

/**
 * The metadata of files attached to tasks; their content is in the blob
 * store, by hash, and one blob may be the content of several attachments.
 * Whoever sees a task (the task repository's rules) reads its attachments;
 * whoever may change it (not a project's viewers) attaches files and removes
 * them. The attachments of a soft-deleted task are not found until it is
 * restored.
 */
export interface AttachmentRepository {
  /**
   * Attaches stored files to the task, all or none, and answers them in the
   * order given, made at one time: the files of one upload are one change.
   * 'too-many' when they would bring it past `maxPerTask` attachments, counted
   * in the transaction that adds them, so that attachments made at once never
   * pass the limit together.
   */
  create (viewer: Viewer, taskId: number, files: readonly AttachedFile[], maxPerTask: number): Promise<Attachment[] | AttachmentRefusal | 'too-many'>
  /**
   * How many more files the viewer may attach to the task now, refused on the
   * same terms as `create`: asked before an upload's body is read, so that a
   * full task or a refused viewer is told so before the files are sent for
   * nothing. Only a hint, as another upload may take the room meanwhile:
   * `create` counts again.
   */
  room (viewer: Viewer, taskId: number, maxPerTask: number): Promise<number | AttachmentRefusal>
  /** A task's attachments, oldest first: from `page.offset`, or just after the attachment whose id is `page.after`. */
  list (viewer: Viewer, taskId: number, page: PageRequest): Promise<Page<Attachment> | 'not-found'>
  /** The attachment, unless its task is deleted or not one the viewer may see. */
  find (viewer: Viewer, id: number): Promise<Attachment | undefined>
  /** Removes the attachment and answers it as it was: its blob may now be nobody's (see `referenced`). */
  delete (viewer: Viewer, id: number): Promise<Attachment | AttachmentRefusal>
  /**
   * Which of these hashes an attachment refers to, whoever may see it: the
   * blob store's sweep removes the others' blobs.
   */
  referenced (sha256s: readonly string[]): Promise<Set<string>>
}
