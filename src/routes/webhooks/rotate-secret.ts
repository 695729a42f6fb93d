import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { principalOf } from '../../plugins/app/authentication.js'
import { problemResponses } from '../../problems/problem-responses.js'
import { Ref } from '../../schemas/type-helpers.js'
import { DEFAULT_ROTATION_OVERLAP_SECONDS, SecretRotation, WebhookIdParams, WebhookWithSecret } from '../../schemas/webhook.js'
import { newSigningSecret } from '../../webhooks/signatures.js'
import { shownWebhook } from './shown-webhook.js'
import { webhookNotFound } from './webhook-problems.js'

const rotateSecret: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post('/:webhook_id/rotate-secret', {
    config: { access: 'projects:write' },
    // The body may be left out: then every field takes its default.
    preValidation: async (request) => { request.body ??= {} },
    schema: {
      operationId: 'rotateWebhookSecret',
      summary: 'Rotate a webhook\'s secret',
      description: 'Gives the webhook a new secret, shown this once. For `overlap_seconds` (a day unless said) deliveries carry two signatures in `webhook-signature`, with the new secret and the old, so the receiver can switch to the new one without missing a delivery.',
      tags: ['Webhooks'],
      params: WebhookIdParams,
      body: Ref(SecretRotation),
      response: {
        200: Ref(WebhookWithSecret, { description: 'The webhook, with its new secret (shown this once).' }),
        ...problemResponses('malformed-json', 'not-found', 'payload-too-large', 'unsupported-media-type', 'validation', 'rate-limited')
      }
    }
  }, async (request) => {
    const id = request.params.webhook_id
    const now = Date.now()
    const secret = newSigningSecret()
    const overlapSeconds = request.body.overlap_seconds ?? DEFAULT_ROTATION_OVERLAP_SECONDS
    const rotated = await fastify.db.webhooks.rotateSecret(principalOf(request), id, { secret, previousSecretExpiresAt: now + overlapSeconds * 1000 }, now)
    if (rotated === undefined) throw webhookNotFound(id)
    return { ...shownWebhook(rotated, now), secret }
  })
}

export default rotateSecret
