import { Type, type Static } from '@sinclair/typebox'
import { Page, PagingParameters } from './page.js'
import { Slug } from './project.js'
import { Timestamp } from './timestamp.js'
import { Nullable, Ref, StringEnum } from './type-helpers.js'

export const WEBHOOK_EVENTS = ['task.created', 'task.updated', 'task.deleted', 'task.restored', 'task.completed'] as const
export const DELIVERY_STATES = ['pending', 'delivered', 'failed'] as const
export const WEBHOOK_URL_MAX_LENGTH = 2048
/** Webhooks a project may have (and webhooks of every task there may be): each task change is sent to each. */
export const WEBHOOKS_PER_PROJECT_MAX = 20
/** How long a rotated-out secret keeps signing beside the new one, unless the rotation says otherwise: a day. */
export const DEFAULT_ROTATION_OVERLAP_SECONDS = 86_400
const MAX_ROTATION_OVERLAP_SECONDS = 7 * 86_400

export const WebhookEvent = StringEnum(WEBHOOK_EVENTS, {
  $id: 'WebhookEvent',
  title: 'WebhookEvent',
  description: 'What happened to a task: `task.created`, `task.updated` (any change, completion included), `task.deleted`, `task.restored`, and `task.completed` (it became done, sent beside `task.updated`).'
})
export type WebhookEvent = Static<typeof WebhookEvent>

export const DeliveryState = StringEnum(DELIVERY_STATES, {
  $id: 'DeliveryState',
  title: 'DeliveryState',
  description: '`pending`: not yet delivered, and tried again after a failure (with growing waits); `delivered`: the receiver answered 2xx; `failed`: every attempt failed (JOB_MAX_ATTEMPTS), or the URL is refused.'
})
export type DeliveryState = Static<typeof DeliveryState>

const WebhookId = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'The webhook\'s id.' })
const DeliveryId = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'The delivery\'s id.' })

const WebhookUrl = Type.String({
  format: 'uri',
  maxLength: WEBHOOK_URL_MAX_LENGTH,
  description: 'Where events are POSTed: an `http` or `https` URL without user or password, whose host resolves to a public address (unless WEBHOOK_ALLOW_PRIVATE=true).',
  examples: ['https://hooks.example.com/task-api']
})
const WebhookEvents = Type.Array(Ref(WebhookEvent), { minItems: 1, maxItems: WEBHOOK_EVENTS.length, uniqueItems: true, description: 'The events to send.' })

const webhookFields = {
  id: WebhookId,
  url: WebhookUrl,
  events: Type.Array(Ref(WebhookEvent)),
  project: Nullable(Slug, { description: 'The project whose tasks it hears of; null: every task (administrators only).' }),
  previous_secret_expires_at: Nullable(Timestamp, { description: 'After a rotation: until then, deliveries are signed with the previous secret too.' }),
  created_by: Type.String({ description: 'The username of who created it.' }),
  created_at: Timestamp,
  updated_at: Timestamp
}

export const Webhook = Type.Object(webhookFields, { $id: 'Webhook', title: 'Webhook', additionalProperties: false })
export type Webhook = Static<typeof Webhook>

export const WebhookWithSecret = Type.Object({
  ...webhookFields,
  secret: Type.String({ description: 'The signing secret (`whsec_` and base64), shown this once: keep it where the receiver can check signatures with it.' })
}, { $id: 'WebhookWithSecret', title: 'WebhookWithSecret', additionalProperties: false })
export type WebhookWithSecret = Static<typeof WebhookWithSecret>

export const WebhookCreate = Type.Object({
  url: WebhookUrl,
  events: WebhookEvents,
  project: Type.Optional(Nullable(Slug, { description: 'The project whose tasks to hear of (you must own it); left out or null: every task, for administrators only.' }))
}, {
  $id: 'WebhookCreate',
  title: 'WebhookCreate',
  description: 'A new webhook. Fields not listed here are rejected.',
  additionalProperties: false
})
export type WebhookCreate = Static<typeof WebhookCreate>

export const WebhookUpdate = Type.Object({
  url: Type.Optional(WebhookUrl),
  events: Type.Optional(WebhookEvents)
}, {
  $id: 'WebhookUpdate',
  title: 'WebhookUpdate',
  description: 'The fields to change; fields left out keep their value. A webhook stays with its project.',
  additionalProperties: false
})
export type WebhookUpdate = Static<typeof WebhookUpdate>

export const SecretRotation = Type.Object({
  overlap_seconds: Type.Optional(Type.Integer({
    minimum: 0,
    maximum: MAX_ROTATION_OVERLAP_SECONDS,
    default: DEFAULT_ROTATION_OVERLAP_SECONDS,
    description: 'How long the previous secret keeps signing beside the new one (`webhook-signature` then carries both), so receivers can switch without missing a delivery. 0: at once.'
  }))
}, { $id: 'SecretRotation', title: 'SecretRotation', additionalProperties: false })
export type SecretRotation = Static<typeof SecretRotation>

export const WebhookList = Page(Ref(Webhook), { $id: 'WebhookList', description: 'One page of the webhooks you manage, newest first.' })

export const WebhookListQuery = Type.Object({
  ...PagingParameters,
  project: Type.Optional({ ...Slug, description: 'Only the webhooks of this project.' })
}, { additionalProperties: false })
export type WebhookListQuery = Static<typeof WebhookListQuery>

export const Delivery = Type.Object({
  id: DeliveryId,
  message_id: Type.String({ description: 'The `webhook-id` header: the same for a redelivery, so receivers can drop what they already had.' }),
  event: Ref(WebhookEvent),
  state: Ref(DeliveryState),
  attempts: Type.Integer({ minimum: 0, description: 'How many times it was sent.' }),
  response_status: Nullable(Type.Integer(), { description: 'The HTTP status of the last attempt; null when none was answered.' }),
  last_error: Nullable(Type.String(), { description: 'Why the last attempt failed.' }),
  duration_ms: Nullable(Type.Integer({ minimum: 0 }), { description: 'How long the last attempt took, until the response\'s headers or the failure.' }),
  payload: Type.Unknown({ description: 'The body sent: `{type, timestamp, data}`, `data` being the task as the change left it.' }),
  created_at: Timestamp,
  updated_at: Timestamp
}, { $id: 'Delivery', title: 'Delivery', additionalProperties: false })
export type Delivery = Static<typeof Delivery>

export const DeliveryList = Page(Ref(Delivery), { $id: 'DeliveryList', description: 'One page of a webhook\'s deliveries, newest first.' })

export const WebhookIdParams = Type.Object({ webhook_id: WebhookId }, { additionalProperties: false })
export type WebhookIdParams = Static<typeof WebhookIdParams>

export const DeliveryParams = Type.Object({ webhook_id: WebhookId, delivery_id: DeliveryId }, { additionalProperties: false })
export type DeliveryParams = Static<typeof DeliveryParams>
