import { Type, type Static } from '@sinclair/typebox'
import { TaskIdParams, TaskUpdate } from './task.js'
import { Ref } from './type-helpers.js'

export const InboundTask = Type.Object({
  delivery_id: Type.String({ minLength: 1, maxLength: 200, pattern: '^[\\x21-\\x7e]+$', description: 'The sender\'s unique id of this delivery (printable ASCII, no spaces): a delivery sent again with the same id is processed once, and the first answer is sent again.' }),
  sent_at: Type.String({ format: 'date-time', description: 'When the sender signed it (RFC 3339). More than 5 minutes from now, either way, is a 401: a replay, or a clock too far off.' }),
  task_id: Type.Optional({ ...TaskIdParams.properties.task_id, description: 'The task to change; left out, a task is created.' }),
  task: Ref(TaskUpdate, { description: 'The fields to set, as PATCH takes them; to create a task, `title` is required and the others take their defaults.' })
}, {
  $id: 'InboundTask',
  title: 'InboundTask',
  description: 'A signed request from another system: creates a task, or changes one. The whole body is signed, `delivery_id` and `sent_at` with it.',
  additionalProperties: false
})
export type InboundTask = Static<typeof InboundTask>
