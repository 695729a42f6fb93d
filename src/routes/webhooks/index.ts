import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import createWebhook from './create-webhook.js'
import deleteWebhook from './delete-webhook.js'
import getWebhook from './get-webhook.js'
import listDeliveries from './list-deliveries.js'
import listWebhooks from './list-webhooks.js'
import redeliver from './redeliver.js'
import rotateSecret from './rotate-secret.js'
import updateWebhook from './update-webhook.js'

export interface WebhookRouteOptions {
  /** WEBHOOK_ALLOW_PRIVATE: whether a webhook URL may resolve to a loopback, private or link-local address. */
  allowPrivate: boolean
}

/** Outbound webhooks and their deliveries: register with the prefix `/webhooks`. */
const webhooks: FastifyPluginAsyncTypebox<WebhookRouteOptions> = async (fastify, { allowPrivate }) => {
  await fastify.register(createWebhook, { allowPrivate })
  await fastify.register(listWebhooks)
  await fastify.register(getWebhook)
  await fastify.register(updateWebhook, { allowPrivate })
  await fastify.register(deleteWebhook)
  await fastify.register(rotateSecret)
  await fastify.register(listDeliveries)
  await fastify.register(redeliver)
}

export default webhooks
