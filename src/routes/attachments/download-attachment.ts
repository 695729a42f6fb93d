import { open } from 'node:fs/promises'
import type { Readable } from 'node:stream'
import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import parseRange from 'range-parser'
import { principalOf } from '../../plugins/app/authentication.js'
import { ProblemError } from '../../problems/problem-error.js'
import { problemResponses } from '../../problems/problem-responses.js'
import { AttachmentIdParams } from '../../schemas/attachment.js'
import { listedTags, noneMatch } from '../entity-tags.js'
import { servedFileHeaders, setServedFileHeaders } from '../served-file.js'
import { attachmentNotFound } from './attachment-problems.js'

// Whoever may see the task may download it: a client may keep a copy, but asks again (If-None-Match) before reusing it, so that access is checked each time.
const CACHE_CONTROL = 'private, no-cache'

// The file's bytes, sent as the stream they are read from.
const Binary = Type.Unsafe<Readable>({ type: 'string', format: 'binary' })

const contentHeaders = {
  ETag: Type.String({ description: 'The content\'s SHA-256 as a strong entity tag: send it in If-None-Match or If-Range.' }),
  'Cache-Control': Type.Literal(CACHE_CONTROL, { description: 'Clients may keep it but revalidate it before reuse; shared caches must not store it.' }),
  ...servedFileHeaders,
  'Accept-Ranges': Type.Literal('bytes')
}

const downloadAttachment: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get('/:attachment_id/content', {
    config: { access: 'tasks:read' },
    schema: {
      operationId: 'downloadAttachment',
      summary: 'Download an attachment\'s content',
      description: 'Streams the file with the type told from its bytes at upload. With If-None-Match holding its ETag the answer is 304; a single byte range (`Range: bytes=0-99`, `bytes=-100`, `bytes=100-`) is answered 206 with that part, a range with no byte of the file in it 416 (with `Content-Range: bytes */size`), and several ranges or a malformed one with the whole file (200). With If-Range, the range is only honoured while the ETag is still that one.',
      tags: ['Attachments'],
      params: AttachmentIdParams,
      headers: Type.Object({
        range: Type.Optional(Type.String({ description: 'One byte range, RFC 9110 section 14.2.' })),
        'if-range': Type.Optional(Type.String({ description: 'The ETag the client holds part of: the range is sent only if it still matches, else the whole file.' })),
        'if-none-match': Type.Optional(Type.String({ description: 'If the content\'s ETag is one of these (comma-separated), or `*`, the answer is 304 with no body.' }))
      }),
      response: {
        200: { description: 'The whole file.', headers: contentHeaders, content: { 'application/octet-stream': { schema: Binary } } },
        206: { description: 'The range asked for.', headers: { ...contentHeaders, 'Content-Range': Type.String({ description: '`bytes first-last/size`' }) }, content: { 'application/octet-stream': { schema: Binary } } },
        // No body at all: typed as undefined so that none is sent, not even `null`.
        304: Type.Unsafe<undefined>(Type.Null({ description: 'Not modified: the ETag in If-None-Match is current.' })),
        ...problemResponses('bad-request', 'not-found', 'range-not-satisfiable', 'validation', 'rate-limited')
      }
    }
  }, async (request, reply) => {
    const id = request.params.attachment_id
    const attachment = await fastify.db.attachments.find(principalOf(request), id)
    if (attachment === undefined) throw attachmentNotFound(id)
    const { size, sha256, filename } = attachment
    const etag = `"${sha256}"`
    reply.header('etag', etag).header('cache-control', CACHE_CONTROL)
    if (noneMatch(request.headers['if-none-match'], etag)) return reply.code(304).send()

    const range = requestedRange(request.headers.range, request.headers['if-range'], etag, size)
    if (range === 'unsatisfiable') {
      reply.header('content-range', `bytes */${size}`)
      throw new ProblemError('range-not-satisfiable', `No part of the file, which is ${size} bytes long, is in the range asked for.`)
    }
    const file = await open(fastify.uploads.pathOf(sha256))
    setServedFileHeaders(reply, { contentType: attachment.content_type, filename }).header('accept-ranges', 'bytes')
    if (range === undefined) return reply.header('content-length', size).send(file.createReadStream())
    return reply.code(206)
      .header('content-range', `bytes ${range.start}-${range.end}/${size}`)
      .header('content-length', range.end - range.start + 1)
      .send(file.createReadStream({ start: range.start, end: range.end }))
  })
}

/**
 * The one byte range to send (RFC 9110 section 14), or undefined for the
 * whole file: no Range, an If-Range that no longer matches, a Range this
 * server ignores (malformed, of other units, or several ranges); or
 * 'unsatisfiable' when no byte of the file is in it.
 */
function requestedRange (header: string | undefined, ifRange: string | undefined, etag: string, size: number): { start: number, end: number } | 'unsatisfiable' | undefined {
  if (header === undefined || !ifRangeHolds(ifRange, etag)) return undefined
  const ranges = parseRange(size, header, { combine: true })
  if (ranges === -1) return 'unsatisfiable'
  if (ranges === -2 || ranges.type !== 'bytes' || ranges.length !== 1) return undefined
  return ranges[0]
}

/** If-Range with an entity tag holds when it is strongly this one; a date is never exact enough for a hash-named file, so it does not. */
function ifRangeHolds (ifRange: string | undefined, etag: string): boolean {
  if (ifRange === undefined) return true
  const tags = listedTags(ifRange)
  return Array.isArray(tags) && tags.length === 1 && !tags[0]?.weak && tags[0]?.tag === etag
}

export default downloadAttachment
