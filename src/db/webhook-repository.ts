import type { DeliveryState, WebhookEvent } from '../schemas/webhook.js'
import type { Page, PageRequest } from './page.js'
import type { Viewer } from './viewer.js'

export interface StoredWebhook {
  id: number
  url: string
  events: WebhookEvent[]
  /** The slug of its project; null: every task. */
  project: string | null
  secret: string
  /** After a rotation, the secret that keeps signing until `previousSecretExpiresAt`. */
  previousSecret: string | null
  previousSecretExpiresAt: number | null
  /** The username of who created it. */
  creator: string
  createdAt: number
  updatedAt: number
}

export interface StoredDelivery {
  id: number
  webhookId: number
  event: WebhookEvent
  messageId: string
  /** The JSON body, as sent. */
  body: string
  state: DeliveryState
  attempts: number
  responseStatus: number | null
  lastError: string | null
  durationMs: number | null
  createdAt: number
  updatedAt: number
}

export interface NewWebhook {
  url: string
  events: WebhookEvent[]
  /** A project's slug; null: every task. */
  project: string | null
  secret: string
}

export interface WebhookChanges {
  url?: string | undefined
  events?: WebhookEvent[] | undefined
}

/** A new secret, and until when the one it replaces keeps signing. */
export interface SecretChange {
  secret: string
  previousSecretExpiresAt: number
}

/** How one attempt at a delivery ended. */
export interface DeliveryAttempt {
  /** `pending` when it failed and is tried again. */
  state: DeliveryState
  responseStatus: number | null
  error: string | null
  durationMs: number
}

/**
 * Why a webhook cannot be created: its project is not one the viewer can see
 * ('project-not-found'), or they see it but do not own it, or they asked for
 * every task without being an administrator ('forbidden'), or the project
 * (or every task) has as many webhooks as it may ('limit-reached').
 */
export type WebhookRefusal = 'project-not-found' | 'forbidden' | 'limit-reached'

export interface WebhookListRequest extends PageRequest {
  /** Only this project's webhooks. */
  project?: string | undefined
}

/**
 * Webhooks and their deliveries. A project's owners manage its webhooks,
 * administrators every webhook (those of every task included): anyone else
 * finds none, exactly as if there were none. Deliveries are added by the
 * task writes that cause them (see the outbox), each with the job that sends it.
 */
export interface WebhookRepository {
  create (viewer: Viewer, webhook: NewWebhook, now: number): Promise<StoredWebhook | WebhookRefusal>
  /** The webhooks the viewer manages, newest first. */
  list (viewer: Viewer, request: WebhookListRequest): Promise<Page<StoredWebhook>>
  find (viewer: Viewer, id: number): Promise<StoredWebhook | undefined>
  update (viewer: Viewer, id: number, changes: WebhookChanges, now: number): Promise<StoredWebhook | undefined>
  rotateSecret (viewer: Viewer, id: number, change: SecretChange, now: number): Promise<StoredWebhook | undefined>
  /** Deletes it with its deliveries (their jobs find nothing to send); false when the viewer finds no such webhook. */
  delete (viewer: Viewer, id: number): Promise<boolean>
  /** A webhook's deliveries, newest first; undefined when the viewer finds no such webhook. */
  deliveries (viewer: Viewer, id: number, page: PageRequest): Promise<Page<StoredDelivery> | undefined>
  /** A new delivery of the same message (id and body), sent by a new job. */
  redeliver (viewer: Viewer, id: number, deliveryId: number, now: number): Promise<StoredDelivery | undefined>
  /** What a delivery job sends, and where; undefined once the webhook or the delivery is gone. */
  outgoing (deliveryId: number): Promise<{ delivery: StoredDelivery, webhook: StoredWebhook } | undefined>
  record (deliveryId: number, attempt: DeliveryAttempt, now: number): Promise<void>
  /** Forgets the deliveries delivered or failed before `before`; answers how many. */
  purgeFinished (before: number): Promise<number>
}
