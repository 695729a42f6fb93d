import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { purgeInBackground } from './background-purge.js'

export interface EventLogPurgeOptions {
  /** EVENT_RETENTION_MS */
  retentionMs: number
}

// Old events only take room: forgotten at most this often.
const PURGE_INTERVAL_MS = 3_600_000

/** Forgets the change log's events older than EVENT_RETENTION_MS now and then (but the newest). */
async function eventLogPurge (fastify: FastifyInstance, { retentionMs }: EventLogPurgeOptions) {
  purgeInBackground(fastify, 'events', Math.min(retentionMs, PURGE_INTERVAL_MS), async () => fastify.db.events.purgeBefore(Date.now() - retentionMs))
}

export default fp(eventLogPurge, { name: 'event-log-purge', dependencies: ['database'] })
