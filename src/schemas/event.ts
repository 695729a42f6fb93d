import { Type, type Static } from '@sinclair/typebox'
import { Slug } from './project.js'

const EventSeq = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })

export const EventStreamQuery = Type.Object({
  project: Type.Optional({ ...Slug, description: 'Only the events of this project\'s tasks.' }),
  after: Type.Optional({ ...EventSeq, description: 'Start just after this event (its `id`), as `Last-Event-ID` does; left out: from now on.' })
}, { additionalProperties: false })
export type EventStreamQuery = Static<typeof EventStreamQuery>

export const EventStreamHeaders = Type.Object({
  'last-event-id': Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$', description: 'The `id` of the last event received: the stream resumes just after it (an EventSource sends it when it reconnects). Wins over `after`.' }))
})
