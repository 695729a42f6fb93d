import type { FastifyBaseLogger } from 'fastify'
import type { WebhookRepository, StoredWebhook } from '../db/webhook-repository.js'
import { GivenUpError, type JobHandler } from '../jobs/job-worker.js'
import { packageVersion } from '../package-info.js'
import { RefusedAddressError, type Resolve } from './address-policy.js'
import { postEvent } from './post-event.js'
import { standardSignature } from './signatures.js'

export interface WebhookSettings {
  /** WEBHOOK_ALLOW_PRIVATE */
  allowPrivate: boolean
  /** WEBHOOK_TIMEOUT_MS */
  timeoutMs: number
  /** JOB_MAX_ATTEMPTS: after the last, a delivery is `failed`. */
  maxAttempts: number
  /** How host names are resolved (the system's resolver unless a test stands in for DNS). */
  resolve?: Resolve | undefined
}

/** `webhook-signature`: `v1,` and the signature with the secret, and with the previous one while it has not expired (space-separated). */
export function signatureHeader (webhook: StoredWebhook, messageId: string, timestamp: number, body: string, now: number): string {
  const secrets = [webhook.secret]
  if (webhook.previousSecret !== null && (webhook.previousSecretExpiresAt ?? 0) > now) secrets.push(webhook.previousSecret)
  return secrets.map((secret) => standardSignature(secret, messageId, timestamp, body)).join(' ')
}

/**
 * Sends one delivery of a webhook (a `webhook` job's payload names it): a
 * POST of its body, signed as Standard Webhooks says, that a 2xx answer
 * delivers. Any other answer, a timeout or a connection error fails the
 * attempt, and the job is tried again later; a URL that resolves to an
 * address it may not reach fails at once, for good. Each attempt is
 * recorded on the delivery. A delivery whose webhook was deleted is skipped.
 */
export function webhookDeliveryJob (webhooks: WebhookRepository, { allowPrivate, timeoutMs, maxAttempts, resolve }: WebhookSettings, log: FastifyBaseLogger): JobHandler {
  const userAgent = `task-api-webhooks/${packageVersion}`
  return async (job, signal) => {
    const deliveryId = (job.payload as { delivery_id: number }).delivery_id
    const outgoing = await webhooks.outgoing(deliveryId)
    if (outgoing === undefined) return { state: 'skipped', reason: 'its webhook was deleted' }
    const { delivery, webhook } = outgoing
    const started = Date.now()
    const timestamp = Math.floor(started / 1000)
    const headers = {
      'user-agent': userAgent,
      'webhook-id': delivery.messageId,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signatureHeader(webhook, delivery.messageId, timestamp, delivery.body, started)
    }
    let responseStatus: number | null = null
    let failure: Error | undefined
    try {
      responseStatus = await postEvent(new URL(webhook.url), headers, delivery.body, { signal, timeoutMs, allowPrivate, resolve })
      if (responseStatus < 200 || responseStatus > 299) failure = new Error(`the receiver answered ${responseStatus}`)
    } catch (error) {
      // The worker is stopping: the job is given back, and this attempt not counted.
      if (signal.aborted) throw error
      failure = error instanceof Error ? error : new Error(String(error))
    }
    const refused = failure instanceof RefusedAddressError
    const last = refused || job.attempts >= maxAttempts
    const state = failure === undefined ? 'delivered' : last ? 'failed' : 'pending'
    await webhooks.record(delivery.id, { state, responseStatus, error: failure?.message ?? null, durationMs: Date.now() - started }, Date.now())
    log.info({ webhook: webhook.id, delivery: delivery.id, event: delivery.event, status: responseStatus, state }, 'webhook delivery attempted')
    if (failure === undefined) return { state: 'done' }
    throw refused ? new GivenUpError(failure.message) : failure
  }
}
