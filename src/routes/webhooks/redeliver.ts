import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { principalOf } from '../../plugins/app/authentication.js'
import { ProblemError } from '../../problems/problem-error.js'
import { problemResponses } from '../../problems/problem-responses.js'
import { Ref } from '../../schemas/type-helpers.js'
import { Delivery, DeliveryParams } from '../../schemas/webhook.js'
import { shownDelivery } from './shown-webhook.js'

const redeliver: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post('/:webhook_id/deliveries/:delivery_id/redeliver', {
    config: { access: 'projects:write' },
    schema: {
      operationId: 'redeliverWebhookDelivery',
      summary: 'Send a delivery again',
      description: 'Sends the same message again (the same `webhook-id` and body, a new timestamp and signature) as a new delivery, retried like any other. Answers at once; the delivery list tells how it went.',
      tags: ['Webhooks'],
      params: DeliveryParams,
      response: {
        202: Ref(Delivery, { description: 'The new delivery, pending.' }),
        ...problemResponses('malformed-json', 'not-found', 'payload-too-large', 'unsupported-media-type', 'validation', 'rate-limited')
      }
    }
  }, async (request, reply) => {
    const { webhook_id: id, delivery_id: deliveryId } = request.params
    const delivery = await fastify.db.webhooks.redeliver(principalOf(request), id, deliveryId, Date.now())
    if (delivery === undefined) throw new ProblemError('not-found', `Webhook ${id} has no delivery ${deliveryId}.`)
    return reply.code(202).send(shownDelivery(delivery))
  })
}

export default redeliver
