import type { FastifyReply } from 'fastify'

/**
 * Renders a page's template with its data (and the page context every page
 * has) and sends it. A page shows what one person may see, so no shared
 * cache keeps it, and the browser asks again rather than show an old one.
 */
export async function renderPage (reply: FastifyReply, template: string, data: Record<string, unknown>, status = 200) {
  const html = await reply.viewAsync(template, data)
  return reply.code(status).header('cache-control', 'private, no-cache').type('text/html; charset=utf-8').send(html)
}
