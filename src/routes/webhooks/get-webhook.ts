import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { principalOf } from '../../plugins/app/authentication.js'
import { problemResponses } from '../../problems/problem-responses.js'
import { Ref } from '../../schemas/type-helpers.js'
import { Webhook, WebhookIdParams } from '../../schemas/webhook.js'
import { shownWebhook } from './shown-webhook.js'
import { webhookNotFound } from './webhook-problems.js'

const getWebhook: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get('/:webhook_id', {
    config: { access: 'projects:read' },
    schema: {
      operationId: 'getWebhook',
      summary: 'Get a webhook',
      description: 'One webhook you manage (its secret is never shown again).',
      tags: ['Webhooks'],
      params: WebhookIdParams,
      response: {
        200: Ref(Webhook, { description: 'The webhook.' }),
        ...problemResponses('not-found', 'validation', 'rate-limited')
      }
    }
  }, async (request) => {
    const webhook = await fastify.db.webhooks.find(principalOf(request), request.params.webhook_id)
    if (webhook === undefined) throw webhookNotFound(request.params.webhook_id)
    return shownWebhook(webhook)
  })
}

export default getWebhook
