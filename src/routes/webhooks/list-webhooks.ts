import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { principalOf } from '../../plugins/app/authentication.js'
import { problemResponses } from '../../problems/problem-responses.js'
import { Ref } from '../../schemas/type-helpers.js'
import { WebhookList, WebhookListQuery } from '../../schemas/webhook.js'
import { keyedPageBody, keyedPageRequest, refuseCursorWithOffset } from '../paging.js'
import { shownWebhook } from './shown-webhook.js'

const listWebhooks: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get('/', {
    config: { access: 'projects:read' },
    preValidation: refuseCursorWithOffset,
    schema: {
      operationId: 'listWebhooks',
      summary: 'List webhooks',
      description: 'The webhooks you manage (those of the projects you own; every one, for an administrator), newest first.',
      tags: ['Webhooks'],
      querystring: WebhookListQuery,
      response: {
        200: Ref(WebhookList, {
          description: 'One page of webhooks.',
          headers: { Link: Type.String({ description: 'RFC 8288 link to the next page; absent on the last page.' }) }
        }),
        ...problemResponses('validation', 'rate-limited')
      }
    }
  }, async (request, reply) => {
    const list = ['webhooks', request.query.project ?? null]
    const page = await fastify.db.webhooks.list(principalOf(request), { ...keyedPageRequest(request.query, list), project: request.query.project })
    return keyedPageBody(request, reply, request.query, list, { ...page, items: page.items.map((webhook) => shownWebhook(webhook)) }, (webhook) => String(webhook.id))
  })
}

export default listWebhooks
