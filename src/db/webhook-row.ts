import type { WebhookEvent } from '../schemas/webhook.js'
import type { StoredWebhook } from './webhook-repository.js'

/** A webhook row as both databases answer it, joined with its project's slug and its creator's username. */
export interface WebhookRow extends Omit<StoredWebhook, 'events'> {
  /** JSON: the events' names. */
  events: string
}

export function storedWebhook ({ events, ...row }: WebhookRow): StoredWebhook {
  return { ...row, events: JSON.parse(events) as WebhookEvent[] }
}
