import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import upsertTask, { type InboundOptions } from './upsert-task.js'

/** Signed webhooks from other systems: register with the prefix `/inbound`, only when INBOUND_WEBHOOK_SECRET is set. */
const inbound: FastifyPluginAsyncTypebox<InboundOptions> = async (fastify, { secret }) => {
  await fastify.register(upsertTask, { secret })
}

export default inbound
