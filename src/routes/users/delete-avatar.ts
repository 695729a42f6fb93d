import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { AvatarChange } from './avatar.js'
import { principalOf } from '../../plugins/app/authentication.js'
import { problemResponses } from '../../problems/problem-responses.js'

const deleteAvatar: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.delete('/me/avatar', {
    config: { access: 'signed-in' },
    schema: {
      operationId: 'deleteAvatar',
      summary: 'Remove your picture',
      description: 'Removes your picture, if you have one: your profile\'s `avatar_url` is null again. Any scope will do.',
      tags: ['Users'],
      response: {
        204: Type.Null({ description: 'You have no picture now.' }),
        ...problemResponses('malformed-json', 'payload-too-large', 'unsupported-media-type', 'rate-limited')
      }
    }
  }, async (request, reply) => {
    // Users are never deleted: the token was checked against this one moments ago.
    const { previous } = await fastify.db.users.setAvatar(principalOf(request).userId, null) as AvatarChange
    await fastify.removeUnreferencedUpload(previous, request.log)
    return reply.code(204).send(null)
  })
}

export default deleteAvatar
