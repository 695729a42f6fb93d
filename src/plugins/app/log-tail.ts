import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { LogTail } from '../../live/log-tail.js'
import { READ_LIMIT } from '../../live/log-follower.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** This instance's tail of the change log, which every live feed follows once it has caught up. */
    logTail: LogTail
  }
}

export interface LogTailPluginOptions {
  /** EVENT_POLL_INTERVAL_MS */
  pollIntervalMs: number
}

async function logTail (fastify: FastifyInstance, { pollIntervalMs }: LogTailPluginOptions) {
  fastify.decorate('logTail', new LogTail({
    read: async (after) => fastify.db.events.readWithReaders({ after, limit: READ_LIMIT }),
    onAppended: fastify.db.onEventsAppended,
    pollIntervalMs
  }))
}

export default fp(logTail, { name: 'log-tail', dependencies: ['database'] })
