import type { preValidationAsyncHookHandler } from 'fastify'

/**
 * A preValidation hook that trims surrounding whitespace from the named
 * string fields of a JSON body, so that their length limits apply to them
 * as they will be stored (a task's title, a project's name ...).
 */
export function trimFields (...fields: string[]): preValidationAsyncHookHandler {
  return async (request) => {
    const body = request.body as Record<string, unknown> | null | undefined
    if (body === null || typeof body !== 'object') return
    for (const field of fields) {
      const value = body[field]
      if (typeof value === 'string') body[field] = value.trim()
    }
  }
}
