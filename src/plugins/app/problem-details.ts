import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { ProblemError } from '../../problems/problem-error.js'
import { replyWithProblem, requestPath } from '../../problems/problem-reply.js'
import { RouteMethods } from '../../problems/route-methods.js'

export interface ProblemDetailsOptions {
  /** PROBLEM_TYPE_BASE: the prefix of every problem type URI. */
  typeBase: string
}

/**
 * The one place error bodies come from: every thrown error and every request
 * that matches no route is answered with RFC 9457 problem details.
 */
async function problemDetails (fastify: FastifyInstance, { typeBase }: ProblemDetailsOptions) {
  const routeMethods = new RouteMethods()
  fastify.addHook('onRoute', (route) => {
    // A catch-all (CORS preflight answers OPTIONS on every path) would make
    // every unknown path a 405.
    if (route.url !== '*') routeMethods.add(route.method, route.url)
  })

  fastify.setErrorHandler((error, request, reply) => replyWithProblem(error, request, reply, typeBase))

  fastify.setNotFoundHandler((request, reply) => {
    const path = requestPath(request)
    const allowed = routeMethods.allowedFor(path)
    if (allowed.length === 0) {
      throw new ProblemError('route-not-found', `No route matches ${request.method} ${path}.`)
    }
    reply.header('allow', allowed.join(', '))
    throw new ProblemError('method-not-allowed', `${path} does not support ${request.method}; it supports ${allowed.join(', ')}.`)
  })
}

export default fp(problemDetails, { name: 'problem-details' })
