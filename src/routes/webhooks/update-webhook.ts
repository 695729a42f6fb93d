import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { principalOf } from '../../plugins/app/authentication.js'
import { problemResponses } from '../../problems/problem-responses.js'
import { Ref } from '../../schemas/type-helpers.js'
import { Webhook, WebhookIdParams, WebhookUpdate } from '../../schemas/webhook.js'
import type { WebhookRouteOptions } from './index.js'
import { shownWebhook } from './shown-webhook.js'
import { webhookNotFound } from './webhook-problems.js'
import { checkWebhookUrl } from './webhook-url.js'

const updateWebhook: FastifyPluginAsyncTypebox<WebhookRouteOptions> = async (fastify, { allowPrivate }) => {
  fastify.patch('/:webhook_id', {
    config: { access: 'projects:write' },
    schema: {
      operationId: 'updateWebhook',
      summary: 'Change a webhook',
      description: 'Changes its URL or its events; deliveries already made keep going where they were sent.',
      tags: ['Webhooks'],
      params: WebhookIdParams,
      body: Ref(WebhookUpdate),
      response: {
        200: Ref(Webhook, { description: 'The webhook as changed.' }),
        ...problemResponses('malformed-json', 'not-found', 'payload-too-large', 'unsupported-media-type', 'validation', 'rate-limited')
      }
    }
  }, async (request) => {
    const id = request.params.webhook_id
    const viewer = principalOf(request)
    // A webhook the caller cannot see is a 404 before its URL is looked at.
    if (await fastify.db.webhooks.find(viewer, id) === undefined) throw webhookNotFound(id)
    if (request.body.url !== undefined) await checkWebhookUrl(request.body.url, allowPrivate)
    const updated = await fastify.db.webhooks.update(viewer, id, request.body, Date.now())
    if (updated === undefined) throw webhookNotFound(id)
    return shownWebhook(updated)
  })
}

export default updateWebhook
