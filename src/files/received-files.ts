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

/**
 * Streams the files of a multipart/form-data body into the blob store's
 * staging area, one at a time as they arrive, never holding one in memory.
 * Every part must be a file of `field`, 1 byte to `maxBytes` long; anything
 * else is a 4xx problem naming what was wrong. When any part fails, the
 * files staged so far are discarded and the connection is closed after the
 * answer rather than the rest of the body read: nothing of the upload is
 * left behind.
 */
export async function receiveFiles (request: FastifyRequest, reply: FastifyReply, store: BlobStore, options: ReceiveOptions): Promise<ReceivedFile[]> {
  if (!request.isMultipart()) throw new ProblemError('unsupported-media-type', `Send the files as multipart/form-data, each in a part named \`${options.field}\`.`)
  const received: ReceivedFile[] = []
  try {
    // Busboy is let past the limit by a byte, so that the store sees a file
    // too long and refuses it rather than keeping one cut at the limit.
    for await (const part of request.parts({ limits: { ...PART_LIMITS, fileSize: options.maxBytes + 1 } })) {
      if (part.type === 'field' || part.fieldname !== options.field) {
        throw bodyFieldProblem(part.fieldname, `is not a part of this form: send each file as a part named \`${options.field}\``)
      }
      if (received.length === options.maxFiles) throw options.tooMany()
      const filename = displayName(part.filename)
      const blob = await store.stage(part.file, options.maxBytes)
      received.push({ blob, filename, contentType: await sniffedType(blob.head) })
      if (blob.size === 0) throw bodyFieldProblem(options.field, `"${filename}" is empty: a file must hold at least 1 byte`)
    }
  } catch (error) {
    await Promise.all(received.map(async ({ blob }) => store.discard(blob)))
    // The rest of the body is not read: it may be long, and is worth nothing now.
    reply.header('connection', 'close')
    throw uploadProblem(error, options.maxBytes)
  }
  if (received.length === 0) throw bodyFieldProblem(options.field, 'is required: send at least one file')
  return received
}

/**
 * What a failed upload is reported as: a file too long is 413; the body's
 * own faults (cut short, no boundary, a malformed part) are 400 with the
 * parser's words; a fault of the disk is the server's, as it is.
 */
function uploadProblem (error: unknown, maxBytes: number): unknown {
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
