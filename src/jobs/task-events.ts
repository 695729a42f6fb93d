import { randomUUID } from 'node:crypto'
import { isoTimestamp } from '../db/iso-timestamp.js'
import { toTask } from '../db/task-record.js'
import type { Comment } from '../schemas/comment.js'
import type { FeedEvent } from '../schemas/event.js'
import type { WebhookEvent } from '../schemas/webhook.js'
import { completes, type TaskChange } from './task-change.js'

/**
 * An event of the change log: its type, who may read it (the task's project
 * and creator), and the JSON body, Standard Webhooks' `{type, timestamp,
 * data}`, `data` being the task as a change left it (what webhooks are sent
 * too), or a new comment on the task.
 */
export interface NewEvent<Type extends FeedEvent = FeedEvent> {
  type: Type
  taskId: number
  projectId: number | null
  createdBy: number
  body: string
  createdAt: number
}

/** A delivery as the outbox adds it, in the transaction of the change. */
export interface NewDelivery {
  webhookId: number
  event: WebhookEvent
  messageId: string
  body: string
}

/** The events a change is: one per operation, and `task.completed` beside it when the task became done. */
export function changeEvents (change: TaskChange, now: number): Array<NewEvent<WebhookEvent>> {
  const types: WebhookEvent[] = [`task.${change.operation}d`]
  if (completes(change)) types.push('task.completed')
  const { after } = change
  const data = toTask(after)
  const timestamp = isoTimestamp(after.updatedAt)
  return types.map((type) => ({ type, taskId: after.id, projectId: after.projectId, createdBy: after.createdBy, body: JSON.stringify({ type, timestamp, data }), createdAt: now }))
}

/**
 * The event of a new comment. Who may read it is decided by its task, as for
 * the task's own events: the task's project and the task's creator, not the
 * comment's author.
 */
export function commentEvent (comment: Comment, task: { projectId: number | null, createdBy: number }, now: number): NewEvent<'comment.created'> {
  const type = 'comment.created'
  return { type, taskId: comment.task_id, projectId: task.projectId, createdBy: task.createdBy, body: JSON.stringify({ type, timestamp: comment.created_at, data: comment }), createdAt: now }
}

/** A new message id (`webhook-id`): unique, and kept by redeliveries. */
export function newMessageId (): string {
  return `msg_${randomUUID().replaceAll('-', '')}`
}

/** The deliveries of events: one for each event each webhook listening to the task (`listeners`) was made for. */
export function taskDeliveries (events: ReadonlyArray<NewEvent<WebhookEvent>>, listeners: ReadonlyArray<{ id: number, events: string }>): NewDelivery[] {
  return listeners.flatMap(({ id, events: wanted }) => {
    const chosen = JSON.parse(wanted) as WebhookEvent[]
    return events.filter(({ type }) => chosen.includes(type))
      .map(({ type, body }) => ({ webhookId: id, event: type, messageId: newMessageId(), body }))
  })
}
