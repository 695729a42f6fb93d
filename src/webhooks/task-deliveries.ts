import { randomUUID } from 'node:crypto'
import { isoTimestamp } from '../db/iso-timestamp.js'
import { toTask } from '../db/task-record.js'
import { completes, type TaskChange } from '../jobs/task-change.js'
import type { WebhookEvent } from '../schemas/webhook.js'

/** A delivery as the outbox adds it, in the transaction of the change. */
export interface NewDelivery {
  webhookId: number
  event: WebhookEvent
  messageId: string
  body: string
}

/** The events a change is: one per operation, and `task.completed` beside it when the task became done. */
export function taskEvents (change: TaskChange): WebhookEvent[] {
  const events: WebhookEvent[] = [`task.${change.operation}d`]
  if (completes(change)) events.push('task.completed')
  return events
}

/** A new message id (`webhook-id`): unique, and kept by redeliveries. */
export function newMessageId (): string {
  return `msg_${randomUUID().replaceAll('-', '')}`
}

/**
 * The deliveries a change causes: one for each event it is that each
 * webhook listening to the task (`listeners`) was made for. The body is
 * Standard Webhooks' `{type, timestamp, data}`, `data` being the task as the
 * change left it.
 */
export function taskDeliveries (change: TaskChange, listeners: ReadonlyArray<{ id: number, events: string }>): NewDelivery[] {
  if (listeners.length === 0) return []
  const events = taskEvents(change)
  const data = toTask(change.after)
  const timestamp = isoTimestamp(change.after.updatedAt)
  return listeners.flatMap(({ id, events: wanted }) => {
    const chosen = JSON.parse(wanted) as WebhookEvent[]
    return events.filter((event) => chosen.includes(event))
      .map((event) => ({ webhookId: id, event, messageId: newMessageId(), body: JSON.stringify({ type: event, timestamp, data }) }))
  })
}
