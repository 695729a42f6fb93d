import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import streamEvents, { type EventStreamOptions } from './stream-events.js'

/** The live feed of task changes: register with the prefix `/events`. */
const events: FastifyPluginAsyncTypebox<EventStreamOptions> = async (fastify, { pollIntervalMs, heartbeatMs }) => {
  await fastify.register(streamEvents, { pollIntervalMs, heartbeatMs })
}

export default events
