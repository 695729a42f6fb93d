import fp from 'fastify-plugin'
import view from '@fastify/view'
import { Eta } from 'eta'
import type { FastifyInstance } from 'fastify'
import { VIEWS_FOLDER } from '../../project-files.js'

/**
 * Renders the web pages from the Eta templates in views/ (`reply.viewAsync`).
 * Eta escapes everything a template writes with `<%= %>`; only `<%~ %>`
 * writes raw HTML, which the templates use for nothing user-written.
 * Templates are compiled once and kept.
 */
async function templates (fastify: FastifyInstance) {
  await fastify.register(view, {
    engine: { eta: new Eta({ views: VIEWS_FOLDER, autoEscape: true, cache: true }) },
    templates: VIEWS_FOLDER,
    production: true
  })
}

export default fp(templates, { name: 'view' })
