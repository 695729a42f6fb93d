import fp from 'fastify-plugin'
import underPressure from '@fastify/under-pressure'
import type { FastifyInstance } from 'fastify'
import { ProblemError } from '../../problems/problem-error.js'

export interface UnderPressureOptions {
  /** MAX_EVENT_LOOP_DELAY_MS: mean event-loop delay above which requests are turned away; 0 for no limit. */
  maxEventLoopDelayMs: number
  /** MAX_HEAP_USED_BYTES: V8 heap in use above which requests are turned away; 0 for no limit. */
  maxHeapUsedBytes: number
  /** MAX_RSS_BYTES: resident memory above which requests are turned away; 0 for no limit. */
  maxRssBytes: number
}

// Long enough for a burst to pass, short enough that a client does not give up.
const RETRY_AFTER_SECONDS = 10

const MEASURES: Record<string, string> = {
  eventLoopDelay: 'event-loop delay',
  heapUsedBytes: 'heap in use',
  rssBytes: 'resident memory',
  eventLoopUtilization: 'event-loop use'
}

/**
 * Load shedding: when the event loop lags or memory is past its limit, new
 * requests get a 503 problem with Retry-After at once, instead of queueing
 * and making every client wait.
 */
async function loadShedding (fastify: FastifyInstance, options: UnderPressureOptions) {
  await fastify.register(underPressure, {
    maxEventLoopDelay: options.maxEventLoopDelayMs,
    maxHeapUsedBytes: options.maxHeapUsedBytes,
    maxRssBytes: options.maxRssBytes,
    pressureHandler: async (_request, _reply, type) => {
      throw new ProblemError(
        'overloaded',
        `The server is overloaded (${MEASURES[type] ?? type} past its limit) and turned this request away. Retry later.`,
        undefined,
        RETRY_AFTER_SECONDS
      )
    }
  })
}

export default fp(loadShedding, { name: 'under-pressure' })
