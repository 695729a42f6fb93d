import fp from 'fastify-plugin'
import multipart from '@fastify/multipart'
import type { FastifyInstance } from 'fastify'
import { receiveFields } from '../../files/received-files.js'

export interface MultipartOptions {
  /**
   * `files`: the routes read the parts as streams (`request.parts()`, with
   * the limits each gives). `fields`: a form of text fields only, put on
   * `request.body` as a JSON body's members would be and validated by the
   * same schema; a file in it is refused.
   */
  parts: 'files' | 'fields'
}

/**
 * Parses multipart/form-data bodies for the routes of the scope that
 * registers it. Only the routes that take forms register it: every other
 * route goes on refusing a multipart body with 415.
 */
async function multipartBodies (fastify: FastifyInstance, { parts }: MultipartOptions) {
  await fastify.register(multipart)
  if (parts === 'fields') {
    fastify.addHook('preValidation', async (request) => {
      if (request.isMultipart()) request.body = await receiveFields(request)
    })
  }
}

export default fp(multipartBodies, { name: 'multipart' })
