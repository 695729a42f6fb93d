import type { FastifyRequest } from 'fastify'

/**
 * Trims surrounding whitespace from a task's title before validation, so its
 * length limits apply to the title as it will be stored.
 */
export async function trimTitle (request: FastifyRequest): Promise<void> {
  const body = request.body as { title?: unknown } | null | undefined
  if (typeof body?.title === 'string') {
    body.title = body.title.trim()
  }
}
