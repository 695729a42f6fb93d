import type { FastifyReply } from 'fastify'
import { create as contentDisposition } from 'content-disposition'
import { Type } from '@sinclair/typebox'

// The types a browser may show in place: images and PDF, which run no script of the page's.
// Everything else (HTML and SVG above all) is only ever offered as a download.
const SHOWN_INLINE = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf'])

/**
 * The headers of every uploaded file this API serves, whoever uploaded it:
 * its type as told from its bytes, never sniffed again by the browser; shown
 * in place only when it is an image or a PDF; and, shown or not, run as an
 * origin of its own without scripts.
 */
export function setServedFileHeaders (reply: FastifyReply, { contentType, filename }: { contentType: string, filename: string }): FastifyReply {
  return reply
    .type(contentType)
    .header('content-disposition', contentDisposition(filename, { type: SHOWN_INLINE.has(contentType) ? 'inline' : 'attachment' }))
    .header('content-security-policy', 'sandbox')
    .header('x-content-type-options', 'nosniff')
}

/** Those headers, for the OpenAPI document. */
export const servedFileHeaders = {
  'Content-Disposition': Type.String({ description: '`inline` for PNG, JPEG, GIF, WebP and PDF, `attachment` for everything else; the name as `filename` (ASCII) and, when it is not plain ASCII, `filename*` (RFC 6266, RFC 8187).' }),
  'Content-Security-Policy': Type.Literal('sandbox', { description: 'A file shown in the browser runs as an origin of its own, without scripts.' }),
  'X-Content-Type-Options': Type.Literal('nosniff')
}
