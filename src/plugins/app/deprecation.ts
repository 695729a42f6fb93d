import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { CURRENT_VERSION, V1_DEPRECATED_AT, V1_SUNSET_AT } from '../../api-versions.js'

const DEPRECATION = `@${V1_DEPRECATED_AT / 1000}`
const SUNSET = new Date(V1_SUNSET_AT).toUTCString()

/**
 * Every response under /v1, errors included, says that version 1 is
 * deprecated (`Deprecation`, RFC 9745: since when, as a structured-field
 * date), when it goes away (`Sunset`, RFC 8594) and where its successor is
 * (`Link: <...>; rel="successor-version"`, RFC 5829: the same path under
 * the current version), beside any other link the response has.
 */
async function deprecation (fastify: FastifyInstance) {
  fastify.addHook('onSend', (request, reply, payload, done) => {
    const url = request.originalUrl
    if (url.startsWith('/v1/') || url === '/v1') {
      const successor = `</${CURRENT_VERSION}${url.slice(3).split('?', 1)[0] as string}>; rel="successor-version"`
      const links = reply.getHeader('link')
      reply.header('deprecation', DEPRECATION)
      reply.header('sunset', SUNSET)
      reply.header('link', links === undefined ? successor : `${String(links)}, ${successor}`)
    }
    done(null, payload)
  })
}

export default fp(deprecation, { name: 'deprecation' })
