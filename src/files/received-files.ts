import type { FastifyReply, FastifyRequest } from 'fastify'
import { ProblemError } from '../problems/problem-error.js'
import { bodyFieldProblem } from '../problems/validation-problem.js'
import { BlobTooLargeError, type BlobStore, type StagedBlob } from './blob-store.js'
import { displayName } from './display-name.js'
import { sniffedType } from './sniffed-type.js'

/** A file of a multipart body, staged in the blob store: keep it once its row may be written, or discard it. */
export interface ReceivedFile {
  blob: StagedBlob
  /** The uploaded name, made safe to show. */
  filename: string
  /** Told from its bytes. */
  contentType: string
}

export interface ReceiveOptions {
  /** The one field name files are sent under. */
  field: string
  /** The longest a file may be, in bytes. */
  maxBytes: number
  /** How many files the body may hold; past it, `tooMany` is thrown. */
  maxFiles: number
  tooMany: () => ProblemError
}

// A form of files has few parts, each with a few headers: room for more is room for abuse.
const PART_LIMITS = { parts: 1000, headerPairs: 20, fieldNameSize: 200, fieldSize: 64 * 1024 }
// A form of text fields has a few short ones.
const FIELD_LIMITS = { parts: 20, fields: 20, fieldSize: 16 * 1024, headerPairs: 20, fieldNameSize: 200 }

/**
 * Streams the files of a multipart/form-data body into the blob store's
 * staging area, one at a time as they arrive, never holding one in memory.
 * Every part must be a file of `field`, 1 byte to `maxBytes` long; anything
 * else is a 4xx problem naming what was wrong. When any part fails, the
 * files staged so far are discarded: nothing of the upload is left behind
 * (and `closeUnreadBody` spares reading the rest).
 */
export async function receiveFiles (request: FastifyRequest, store: BlobStore, options: ReceiveOptions): Promise<ReceivedFile[]> {
  if (!request.isMultipart()) throw new ProblemError('unsupported-media-type', `Send the files as multipart/form-data, each in a part named \`${options.field}\`.`)
  const received: ReceivedFile[] = []
  try {
    // Busboy is let past the limit by a byte, so that the store sees a file
    // too long and refuses it rather than keeping one cut at the limit.
    for await (const part of request.parts({ limits: { ...PART_LIMITS, fileSize: options.maxBytes + 1 } })) {
      if (part.type === 'field' || part.fieldname !== options.field) throw notAPartOfTheForm(part.fieldname, `send each file as a part named \`${options.field}\``)
      if (received.length === options.maxFiles) throw options.tooMany()
      const filename = displayName(part.filename)
      const blob = await store.stage(part.file, options.maxBytes)
      received.push({ blob, filename, contentType: await sniffedType(blob.head) })
      if (blob.size === 0) throw bodyFieldProblem(options.field, `"${filename}" is empty: a file must hold at least 1 byte`)
    }
  } catch (error) {
    await Promise.all(received.map(async ({ blob }) => store.discard(blob)))
    throw multipartProblem(error, options.maxBytes)
  }
  if (received.length === 0) throw bodyFieldProblem(options.field, 'is required: send at least one file')
  return received
}

/**
 * The text fields of a multipart/form-data body, as a JSON body's members
 * (a name sent twice is a list, which a schema of strings refuses); a file
 * in it is a 422 naming it.
 */
export async function receiveFields (request: FastifyRequest): Promise<Record<string, string | string[]>> {
  const fields: Record<string, string | string[]> = {}
  try {
    for await (const part of request.parts({ limits: FIELD_LIMITS })) {
      if (part.type === 'file') throw notAPartOfTheForm(part.fieldname, 'this form takes text fields only, no file')
      const { fieldname: name, value } = part as { fieldname: string, value: string }
      const known = fields[name]
      fields[name] = known === undefined ? value : [known, value].flat()
    }
  } catch (error) {
    throw multipartProblem(error, FIELD_LIMITS.fieldSize)
  }
  return fields
}

/**
 * An onError hook of the routes that read multipart bodies: an answer given
 * before the body was read whole (a refusal, or a task not found) closes the
 * connection, rather than Node reading the rest of a long upload for nothing.
 */
export async function closeUnreadBody (request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (!request.raw.readableEnded) reply.header('connection', 'close')
}

/** The problem for a part this form does not take; a part without a name is named as the form's root. */
function notAPartOfTheForm (name: string | undefined, hint: string): ProblemError {
  if (name === undefined) return new ProblemError('validation', `Invalid request body: a part has no name: ${hint}.`, [{ pointer: '#', detail: `a part has no name: ${hint}` }])
  return bodyFieldProblem(name, `is not a part of this form: ${hint}`)
}

/**
 * What a failed multipart body is reported as: a part too long is 413; the
 * body's own faults (cut short, no boundary, a malformed part) are 400 with
 * the parser's words; a fault of the disk is the server's, as it is.
 */
function multipartProblem (error: unknown, maxBytes: number): unknown {
  if (error instanceof ProblemError || isSystemError(error)) return error
  if (error instanceof BlobTooLargeError) return new ProblemError('payload-too-large', `A file is longer than the limit of ${maxBytes} bytes.`)
  const { statusCode, message } = error as { statusCode?: number, message?: string }
  if (statusCode === 413) return new ProblemError('payload-too-large', `The form has too many parts: ${message}.`)
  return new ProblemError('bad-request', `The multipart/form-data body is malformed: ${message ?? 'it could not be read'}.`)
}

/** An error of the file system or of the operating system (ENOSPC, EIO...), not of the request. */
function isSystemError (error: unknown): boolean {
  return typeof (error as NodeJS.ErrnoException).syscall === 'string'
}
