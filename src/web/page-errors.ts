import fp from 'fastify-plugin'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { ProblemError } from '../problems/problem-error.js'
import { validationProblem } from '../problems/validation-problem.js'

const CSRF_ERRORS = new Set(['FST_CSRF_INVALID_TOKEN', 'FST_CSRF_MISSING_SECRET'])

/**
 * What a page shows when it cannot show what was asked: an HTML page with
 * the status the API would answer (the same 404 for a task one may not
 * see as for one that does not exist), what went wrong in words, and a way
 * back. A 5xx says nothing of its cause, which goes to the log.
 */
async function pageErrors (fastify: FastifyInstance) {
  fastify.setNotFoundHandler(async (request, reply) => renderError(fastify, request, reply, 404, 'Page not found', 'There is no page at this address.'))

  fastify.setErrorHandler(async (error: FastifyError, request, reply) => {
    if (error instanceof ProblemError) {
      if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds))
      return renderError(fastify, request, reply, error.statusCode, titleOf(error.statusCode), error.detail)
    }
    if (error.code !== undefined && CSRF_ERRORS.has(error.code)) {
      return renderError(fastify, request, reply, 403, 'This form has expired', 'The form was not sent from a page of this site, or it is too old. Go back, reload the page and try again.')
    }
    if (error.validation !== undefined && error.validationContext !== undefined) {
      // The status the API answers the same parameters with.
      const problem = validationProblem(error.validationContext, error.validation)
      return renderError(fastify, request, reply, problem.statusCode, 'This address does not work', problem.detail)
    }
    const status = error.statusCode ?? 500
    if (status < 500) return renderError(fastify, request, reply, status, titleOf(status), error.message)
    request.log.error({ err: error }, 'page failed')
    return renderError(fastify, request, reply, status, 'Something went wrong', 'The server could not show this page. Try again in a moment.')
  })
}

async function renderError (fastify: FastifyInstance, request: FastifyRequest, reply: FastifyReply, status: number, title: string, detail: string) {
  // The hook that gives a page its context may not have run (an error in an onRequest hook): then the page has no forms.
  const context = { viewer: request.principal, signsIn: false, csrf: '', flash: () => [], asset: (file: string) => fastify.assetUrl(file) }
  const html = await reply.viewAsync('error', { ...context, ...reply.locals, title, detail, status })
  return reply.code(status).type('text/html; charset=utf-8').send(html)
}

function titleOf (status: number): string {
  switch (status) {
    case 403: return 'Not allowed'
    case 404: return 'Not found'
    case 422: return 'This address does not work'
    case 429: return 'Too many attempts'
    default: return 'That did not work'
  }
}

export default fp(pageErrors, { name: 'page-errors', dependencies: ['view'] })
