import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { imageSizeFromFile } from 'image-size/fromFile'
import { closeUnreadBody, receiveFiles, type ReceivedFile } from '../../files/received-files.js'
import { principalOf } from '../../plugins/app/authentication.js'
import multipartPlugin from '../../plugins/external/multipart.js'
import { problemResponses } from '../../problems/problem-responses.js'
import { bodyFieldProblem } from '../../problems/validation-problem.js'
import { Profile } from '../../schemas/user.js'
import { Ref } from '../../schemas/type-helpers.js'
import { AVATAR_MAX_BYTES, AVATAR_MAX_SIDE, AVATAR_TYPES, type AvatarChange } from './avatar.js'
import { profileOf } from './profile-of.js'

const FIELD = 'avatar'

const AvatarUpload = Type.Object({
  [FIELD]: Type.String({ format: 'binary', description: `A PNG, JPEG, WebP or GIF image, up to ${AVATAR_MAX_BYTES} bytes and ${AVATAR_MAX_SIDE} pixels a side.` })
}, { title: 'AvatarUpload', required: [FIELD], additionalProperties: false })

/** Refuses a picture that is not an image of the kinds and size a picture may be, naming the field. */
async function checkPicture ({ blob, contentType }: ReceivedFile): Promise<void> {
  if (!AVATAR_TYPES.has(contentType)) throw bodyFieldProblem(FIELD, `is not a PNG, JPEG, WebP or GIF image (its bytes are ${contentType})`)
  const { width, height } = await imageSizeFromFile(blob.temporary).catch(() => {
    throw bodyFieldProblem(FIELD, 'is an image whose size cannot be read: it is damaged or cut short')
  })
  if (width > AVATAR_MAX_SIDE || height > AVATAR_MAX_SIDE) throw bodyFieldProblem(FIELD, `is ${width}×${height} pixels: at most ${AVATAR_MAX_SIDE} a side`)
}

const putAvatar: FastifyPluginAsyncTypebox = async (fastify) => {
  await fastify.register(multipartPlugin, { parts: 'files' })

  fastify.put('/me/avatar', {
    config: { access: 'signed-in' },
    onError: closeUnreadBody,
    schema: {
      operationId: 'putAvatar',
      summary: 'Set your picture',
      description: `Uploads your picture (multipart/form-data, one part named \`${FIELD}\`): a PNG, JPEG, WebP or GIF image by its bytes (what the part declares is ignored), up to ${AVATAR_MAX_BYTES} bytes and ${AVATAR_MAX_SIDE} pixels a side. It replaces the one you had. Any scope will do.`,
      tags: ['Users'],
      consumes: ['multipart/form-data'],
      body: { content: { 'multipart/form-data': { schema: AvatarUpload } } },
      response: {
        200: Ref(Profile, { description: 'Your profile, with the new picture\'s URL.' }),
        ...problemResponses('bad-request', 'payload-too-large', 'unsupported-media-type', 'validation', 'rate-limited')
      }
    }
  }, async (request, reply) => {
    const tooMany = () => bodyFieldProblem(FIELD, 'is one picture: send one part')
    const [picture] = await receiveFiles(request, fastify.uploads, { field: FIELD, maxBytes: AVATAR_MAX_BYTES, maxFiles: 1, tooMany }) as [ReceivedFile]
    try {
      await checkPicture(picture)
    } catch (error) {
      await fastify.uploads.discard(picture.blob)
      throw error
    }
    await fastify.uploads.keep(picture.blob)
    // Users are never deleted: the token was checked against this one moments ago.
    const { user, previous } = await fastify.db.users.setAvatar(principalOf(request).userId, { sha256: picture.blob.sha256, contentType: picture.contentType }) as AvatarChange
    await fastify.removeUnreferencedUpload(previous, request.log)
    return profileOf(user)
  })
}

export default putAvatar
