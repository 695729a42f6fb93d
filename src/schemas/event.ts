import { Type, type Static } from '@sinclair/typebox'
import { Slug } from './project.js'
import { StringEnum } from './type-helpers.js'
import { WEBHOOK_EVENTS } from './webhook.js'

/** What the change log (and the live feeds that follow it) holds: the task events webhooks are sent, and new comments, which they are not. */
export const FEED_EVENTS = [...WEBHOOK_EVENTS, 'comment.created'] as const

export const FeedEvent = StringEnum(FEED_EVENTS, {
  $id: 'FeedEvent',
  title: 'FeedEvent',
  description: 'An event of the live feed: a task event as webhooks are sent it (`task.created`, `task.updated`, `task.deleted`, `task.restored`, `task.completed`), or `comment.created`, a comment on a task (feeds only, never sent to webhooks).'
})
export type FeedEvent = Static<typeof FeedEvent>

const EventSeq = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })

export const EventStreamQuery = Type.Object({
  project: Type.Optional({ ...Slug, description: 'Only the events of this project\'s tasks.' }),
  after: Type.Optional({ ...EventSeq, description: 'Start just after this event (its `id`), as `Last-Event-ID` does; left out: from now on.' })
}, { additionalProperties: false })
export type EventStreamQuery = Static<typeof EventStreamQuery>

export const EventStreamHeaders = Type.Object({
  'last-event-id': Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$', description: 'The `id` of the last event received: the stream resumes just after it (an EventSource sends it when it reconnects). Wins over `after`.' }))
})
