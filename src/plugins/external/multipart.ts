import fp from 'fastify-plugin'
import multipart from '@fastify/multipart'
import type { FastifyInstance } from 'fastify'
import { bodyFieldProblem } from '../../problems/validation-problem.js'

export interface MultipartOptions {
  /**
   * `files`: the routes read the parts as streams (`request.parts()`, with
   * the limits each gives). `fields`: a form of text fields only, put on
   * `request.body` as a JSON body's members would be and validated by the
   * same schema; a file in it is refused.
   */
  parts: 'files' | 'fields'
}

// A form of text fields has a few short ones.
const FIELD_LIMITS = { parts: 20, fields: 20, fieldSize: 16 * 1024, headerPairs: 20 }

/**
 * Parses multipart/form-data bodies for the routes of the scope that
 * registers it. Only the routes that take forms register it: every other
 * route goes on refusing a multipart body with 415.
 */
async function multipartBodies (fastify: FastifyInstance, { parts }: MultipartOptions) {
  if (parts === 'files') {
    await fastify.register(multipart)
    return
  }
  await fastify.register(multipart, {
    attachFieldsToBody: 'keyValues',
    limits: FIELD_LIMITS,
    onFile: async (part) => {
      part.file.resume()
      throw bodyFieldProblem(part.fieldname, 'is a file: this form takes text fields only')
    }
  })
}

export default fp(multipartBodies, { name: 'multipart' })
