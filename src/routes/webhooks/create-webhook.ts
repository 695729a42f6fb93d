import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { principalOf } from '../../plugins/app/authentication.js'
import { problemResponses } from '../../problems/problem-responses.js'
import { Ref } from '../../schemas/type-helpers.js'
import { WebhookCreate, WebhookWithSecret } from '../../schemas/webhook.js'
import { newSigningSecret } from '../../webhooks/signatures.js'
import type { WebhookRouteOptions } from './index.js'
import { shownWebhook } from './shown-webhook.js'
import { webhookRefusalProblem } from './webhook-problems.js'
import { checkWebhookUrl } from './webhook-url.js'

const createWebhook: FastifyPluginAsyncTypebox<WebhookRouteOptions> = async (fastify, { allowPrivate }) => {
  fastify.post('/', {
    config: { access: 'projects:write' },
    schema: {
      operationId: 'createWebhook',
      summary: 'Create a webhook',
      description: 'From now on, the events asked for of the project\'s tasks (of every task, for an administrator\'s webhook without a project) are POSTed to `url`, signed with the secret this answer shows once. Owners of a project create its webhooks.',
      tags: ['Webhooks'],
      body: Ref(WebhookCreate),
      response: {
        201: Ref(WebhookWithSecret, {
          description: 'The webhook, with its secret (shown this once).',
          headers: { Location: Type.String({ description: 'The URL of the new webhook.' }) }
        }),
        ...problemResponses('malformed-json', 'forbidden', 'webhook-limit-reached', 'payload-too-large', 'unsupported-media-type', 'validation', 'rate-limited')
      }
    }
  }, async (request, reply) => {
    const { url, events, project = null } = request.body
    await checkWebhookUrl(url, allowPrivate)
    const secret = newSigningSecret()
    const created = await fastify.db.webhooks.create(principalOf(request), { url, events, project, secret }, Date.now())
    if (typeof created === 'string') throw webhookRefusalProblem(created, project)
    return reply.code(201).header('location', `/webhooks/${created.id}`).send({ ...shownWebhook(created), secret })
  })
}

export default createWebhook
