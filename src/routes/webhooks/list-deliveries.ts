import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { principalOf } from '../../plugins/app/authentication.js'
import { problemResponses } from '../../problems/problem-responses.js'
import { PageQuery } from '../../schemas/page.js'
import { Ref } from '../../schemas/type-helpers.js'
import { DeliveryList, WebhookIdParams } from '../../schemas/webhook.js'
import { keyedPageBody, keyedPageRequest, refuseCursorWithOffset } from '../paging.js'
import { shownDelivery } from './shown-webhook.js'
import { webhookNotFound } from './webhook-problems.js'

const listDeliveries: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get('/:webhook_id/deliveries', {
    config: { access: 'projects:read' },
    preValidation: refuseCursorWithOffset,
    schema: {
      operationId: 'listWebhookDeliveries',
      summary: 'List a webhook\'s deliveries',
      description: 'What was sent, newest first: each delivery\'s state, attempts, the last response\'s status and how long it took, and the body.',
      tags: ['Webhooks'],
      params: WebhookIdParams,
      querystring: PageQuery,
      response: {
        200: Ref(DeliveryList, {
          description: 'One page of deliveries.',
          headers: { Link: Type.String({ description: 'RFC 8288 link to the next page; absent on the last page.' }) }
        }),
        ...problemResponses('not-found', 'validation', 'rate-limited')
      }
    }
  }, async (request, reply) => {
    const id = request.params.webhook_id
    const list = ['deliveries', id]
    const page = await fastify.db.webhooks.deliveries(principalOf(request), id, keyedPageRequest(request.query, list))
    if (page === undefined) throw webhookNotFound(id)
    return keyedPageBody(request, reply, request.query, list, { ...page, items: page.items.map(shownDelivery) }, (delivery) => String(delivery.id))
  })
}

export default listDeliveries
