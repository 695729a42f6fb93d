import { isoTimestamp } from '../../db/iso-timestamp.js'
import type { StoredDelivery, StoredWebhook } from '../../db/webhook-repository.js'
import type { Delivery, Webhook } from '../../schemas/webhook.js'

/** A webhook as the API shows it: never its secrets. */
export function shownWebhook (webhook: StoredWebhook, now = Date.now()): Webhook {
  const overlap = webhook.previousSecretExpiresAt
  return {
    id: webhook.id,
    url: webhook.url,
    events: webhook.events,
    project: webhook.project,
    previous_secret_expires_at: overlap === null || overlap <= now ? null : isoTimestamp(overlap),
    created_by: webhook.creator,
    created_at: isoTimestamp(webhook.createdAt),
    updated_at: isoTimestamp(webhook.updatedAt)
  }
}

export function shownDelivery (delivery: StoredDelivery): Delivery {
  return {
    id: delivery.id,
    message_id: delivery.messageId,
    event: delivery.event,
    state: delivery.state,
    attempts: delivery.attempts,
    response_status: delivery.responseStatus,
    last_error: delivery.lastError,
    duration_ms: delivery.durationMs,
    payload: JSON.parse(delivery.body) as unknown,
    created_at: isoTimestamp(delivery.createdAt),
    updated_at: isoTimestamp(delivery.updatedAt)
  }
}
