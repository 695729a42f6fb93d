import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import streamEvents, { type EventStreamOptions } from './stream-events.js'

/** The live feed of task changes: register with the prefix `/events`. */
const events: FastifyPluginAsyncTypebox<EventStreamOptions> = async (fastify, { heartbeatMs }) => {
  await fastify.register(streamEvents, { heartbeatMs })
}

export default events
