import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { ProblemError } from '../../problems/problem-error.js'

// A restarted or other instance is usually up within seconds.
const RETRY_AFTER_SECONDS = 5

/**
 * While the server shuts down it finishes the requests it has, and answers
 * any new one that arrives on an open keep-alive connection with a 503
 * problem, instead of starting work it may not be allowed to finish. Every
 * response sent meanwhile says `Connection: close`, and a response already
 * under way ends its connection when it is done: a keep-alive connection
 * left open by a client would otherwise hold the process past its grace
 * period.
 */
async function draining (fastify: FastifyInstance) {
  let shuttingDown = false
  fastify.addHook('preClose', async () => { shuttingDown = true })
  // Callback hooks: they run on every request, and a promise each would cost more than the check.
  fastify.addHook('onRequest', (_request, _reply, done) => {
    if (!shuttingDown) return done()
    done(new ProblemError('shutting-down', 'The server is shutting down and takes no new requests. Retry in a moment.', undefined, RETRY_AFTER_SECONDS))
  })
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if (shuttingDown) reply.header('connection', 'close')
    done(null, payload)
  })
  // A response whose headers went out before the shutdown began (a download
  // under way) said keep-alive: its connection is ended once it is sent.
  fastify.addHook('onResponse', (request, _reply, done) => {
    if (shuttingDown) request.raw.socket?.end()
    done()
  })
}

export default fp(draining, { name: 'draining' })
