import fp from 'fastify-plugin'
import helmet from '@fastify/helmet'
import type { FastifyInstance } from 'fastify'

/**
 * Security headers of the web pages, above all a strict Content-Security-
 * Policy: scripts, styles, images and form targets from this server only,
 * no inline script or style, no plugins, never framed; and helmet's other
 * headers as they come. Requests over plain HTTP (a local `npm start`) are
 * not upgraded to HTTPS.
 */
async function securityHeaders (fastify: FastifyInstance) {
  await fastify.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"]
      }
    }
  })
}

export default fp(securityHeaders, { name: 'helmet' })
