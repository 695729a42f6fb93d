import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { principalOf } from '../../plugins/app/authentication.js'
import { problemResponses } from '../../problems/problem-responses.js'
import { WebhookIdParams } from '../../schemas/webhook.js'
import { webhookNotFound } from './webhook-problems.js'

const deleteWebhook: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.delete('/:webhook_id', {
    config: { access: 'projects:write' },
    schema: {
      operationId: 'deleteWebhook',
      summary: 'Delete a webhook',
      description: 'Deletes it with its deliveries: nothing more is sent, deliveries still waiting included.',
      tags: ['Webhooks'],
      params: WebhookIdParams,
      response: {
        204: Type.Null({ description: 'The webhook was deleted.' }),
        ...problemResponses('malformed-json', 'not-found', 'payload-too-large', 'unsupported-media-type', 'validation', 'rate-limited')
      }
    }
  }, async (request, reply) => {
    if (!await fastify.db.webhooks.delete(principalOf(request), request.params.webhook_id)) throw webhookNotFound(request.params.webhook_id)
    return reply.code(204).send(null)
  })
}

export default deleteWebhook
