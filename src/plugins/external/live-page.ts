import fp from 'fastify-plugin'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance } from 'fastify'
import { LIVE_PAGE_FOLDER } from '../../project-files.js'

/**
 * The live page at /live: plain HTML, CSS and a script module (no build
 * step) that follow a project over GET /ws. Public, as Swagger UI's pages
 * are: the page asks for a token itself, and the feed checks it.
 */
async function livePage (fastify: FastifyInstance) {
  await fastify.register(fastifyStatic, {
    root: LIVE_PAGE_FOLDER,
    prefix: '/live/',
    // A route for each file (and /live for the page): nothing else under /live is looked up on disk.
    wildcard: false,
    // Swagger UI registers its own copy, which decorates the reply.
    decorateReply: false,
    // The page changes with the server: a browser asks again each time (and gets a 304).
    cacheControl: false,
    setHeaders: (response) => response.setHeader('cache-control', 'no-cache')
  })
}

export default fp(livePage, { name: 'live-page' })
