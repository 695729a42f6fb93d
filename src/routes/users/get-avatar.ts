import { open } from 'node:fs/promises'
import type { Readable } from 'node:stream'
import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { problemResponses } from '../../problems/problem-responses.js'
import { ProblemError } from '../../problems/problem-error.js'
import { UsernameParams } from '../../schemas/user.js'
import { noneMatch } from '../entity-tags.js'
import { servedFileHeaders, setServedFileHeaders } from '../served-file.js'
import { userNotFound } from './user-problems.js'

// A picture's URL names its content (`?v=`): fetched by that URL, it never
// changes, and a client keeps it for a year; by another, it revalidates.
const KEPT = 'private, max-age=31536000, immutable'
const REVALIDATED = 'private, no-cache'

const Image = Type.Unsafe<Readable>({ type: 'string', format: 'binary' })

const getAvatar: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get('/:username/avatar', {
    config: { access: 'signed-in' },
    schema: {
      operationId: 'getAvatar',
      summary: 'Get a user\'s picture',
      description: 'The picture, as a profile\'s `avatar_url` names it. With that URL\'s `v` (the picture\'s version) it may be kept for a year; without it, or with an older one, it is revalidated: If-None-Match with its ETag is a 304. A user without a picture is a 404. Any scope will do.',
      tags: ['Users'],
      params: UsernameParams,
      querystring: Type.Object({
        v: Type.Optional(Type.String({ maxLength: 64, pattern: '^[0-9a-f]*$', description: 'The picture\'s version, from `avatar_url`.' }))
      }, { additionalProperties: false }),
      headers: Type.Object({
        'if-none-match': Type.Optional(Type.String({ description: 'If the picture\'s ETag is one of these (comma-separated), or `*`, the answer is 304 with no body.' }))
      }),
      response: {
        200: {
          description: 'The picture.',
          headers: {
            ...servedFileHeaders,
            ETag: Type.String({ description: 'The picture\'s SHA-256 as a strong entity tag.' }),
            'Cache-Control': Type.String({ description: `\`${KEPT}\` when fetched by its avatar_url, else \`${REVALIDATED}\`.` })
          },
          content: { 'image/*': { schema: Image } }
        },
        304: Type.Unsafe<undefined>(Type.Null({ description: 'Not modified: the ETag in If-None-Match is current.' })),
        ...problemResponses('bad-request', 'not-found', 'validation', 'rate-limited')
      }
    }
  }, async (request, reply) => {
    const { username } = request.params
    const user = await fastify.db.users.findByUsername(username)
    if (user === undefined) throw userNotFound(username)
    if (user.avatarSha256 === null || user.avatarType === null) throw new ProblemError('not-found', `User ${user.username} has no picture.`)
    const etag = `"${user.avatarSha256}"`
    const current = request.query.v !== undefined && request.query.v !== '' && user.avatarSha256.startsWith(request.query.v)
    reply.header('etag', etag).header('cache-control', current ? KEPT : REVALIDATED)
    if (noneMatch(request.headers['if-none-match'], etag)) return reply.code(304).send()
    const file = await open(fastify.uploads.pathOf(user.avatarSha256))
    const { size } = await file.stat()
    const extension = user.avatarType.slice('image/'.length)
    return setServedFileHeaders(reply, { contentType: user.avatarType, filename: `${user.username}.${extension}` })
      .header('content-length', size)
      .send(file.createReadStream())
  })
}

export default getAvatar
