import fp from 'fastify-plugin'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { occurrenceOf, problemTitle } from '../problems/problem-reply.js'
import type { ProblemKind } from '../problems/problem-types.js'

const CSRF_ERRORS = new Set(['FST_CSRF_INVALID_TOKEN', 'FST_CSRF_MISSING_SECRET'])

// Where the API's words do not fit a page.
const PAGE_DETAILS: Partial<Record<ProblemKind, string>> = {
  'internal-error': 'The server could not show this page. Try again in a moment.',
  'unsupported-media-type': 'These pages take forms (application/x-www-form-urlencoded) only.'
}

/**
 * What a page shows when it cannot show what was asked: an HTML page with
 * the status and the words the API's problem would have (the same 404 for a
 * task one may not see as for one that does not exist), and a way back. A
 * 5xx says nothing of its cause, which goes to the log, as in the API.
 */
async function pageErrors (fastify: FastifyInstance) {
  fastify.setNotFoundHandler(async (request, reply) => renderError(fastify, request, reply, 404, 'Page not found', 'There is no page at this address.'))

  fastify.setErrorHandler(async (error: FastifyError, request, reply) => {
    if (error.code !== undefined && CSRF_ERRORS.has(error.code)) {
      return renderError(fastify, request, reply, 403, 'This form has expired', 'The form was not sent from a page of this site, or it is too old. Go back, reload the page and try again.')
    }
    const problem = occurrenceOf(error, request, reply)
    const detail = (problem.kind === undefined ? undefined : PAGE_DETAILS[problem.kind]) ?? problem.detail
    return renderError(fastify, request, reply, problem.statusCode, problemTitle(problem), detail)
  })
}

async function renderError (fastify: FastifyInstance, request: FastifyRequest, reply: FastifyReply, status: number, title: string, detail: string) {
  // The hook that gives a page its context may not have run (an error in an onRequest hook): then the page has no forms.
  const context = { viewer: request.principal, signsIn: false, csrf: '', flash: () => [], asset: (file: string) => fastify.assetUrl(file) }
  const html = await reply.viewAsync('error', { ...context, ...reply.locals, title, detail, status })
  return reply.code(status).type('text/html; charset=utf-8').send(html)
}

export default fp(pageErrors, { name: 'page-errors', dependencies: ['view'] })
