import type { FastifyPluginAsync } from 'fastify'
import adminUserRoutes from './admin/index.js'
import attachmentRoutes from './attachments/index.js'
import authRoutes from './auth/index.js'
import eventRoutes from './events/index.js'
import healthRoutes from './health.js'
import inboundRoutes from './inbound/index.js'
import jobRoutes from './jobs/index.js'
import openApiRoutes from './openapi.js'
import type { AttachmentSettings } from './tasks/create-attachments.js'
import projectRoutes from './projects/index.js'
import taskRoutes from './tasks/index.js'
import userRoutes from './users/index.js'
import v1Routes from './v1/index.js'
import weatherRoutes from './weather/index.js'
import webhookRoutes from './webhooks/index.js'
import socketRoutes from './ws/index.js'

export interface RouteOptions {
  /** REQUIRE_IF_MATCH */
  requireIfMatch: boolean
  /** ATTACHMENT_MAX_BYTES and ATTACHMENTS_PER_TASK */
  attachments: AttachmentSettings
  /** REGISTRATION */
  registration: 'admin' | 'open'
  /** ACCESS_TOKEN_TTL_SECONDS */
  accessTokenTtlSeconds: number
  /** REFRESH_TOKEN_TTL_SECONDS */
  refreshTokenTtlSeconds: number
  /** INBOUND_WEBHOOK_SECRET: empty, and POST /inbound/tasks is not there. */
  inboundWebhookSecret: string
  /** WEBHOOK_ALLOW_PRIVATE */
  webhookAllowPrivate: boolean
  /** SSE_HEARTBEAT_MS */
  sseHeartbeatMs: number
  /** WS_MAX_CONNECTIONS */
  wsMaxConnections: number
  /** WS_PING_INTERVAL_MS */
  wsPingIntervalMs: number
  /** WS_SEND_BUFFER_BYTES */
  wsSendBufferBytes: number
}

/** Every resource of the API, each under its path. */
const routes: FastifyPluginAsync<RouteOptions> = async (fastify, options) => {
  await fastify.register(openApiRoutes)
  await fastify.register(healthRoutes)
  await fastify.register(authRoutes, { prefix: '/auth', accessTokenTtlSeconds: options.accessTokenTtlSeconds, refreshTokenTtlSeconds: options.refreshTokenTtlSeconds })
  await fastify.register(userRoutes, { prefix: '/users', registration: options.registration })
  await fastify.register(adminUserRoutes, { prefix: '/admin/users' })
  await fastify.register(jobRoutes, { prefix: '/admin/jobs' })
  await fastify.register(projectRoutes, { prefix: '/projects' })
  await fastify.register(taskRoutes, { prefix: '/tasks', requireIfMatch: options.requireIfMatch, attachments: options.attachments })
  await fastify.register(attachmentRoutes, { prefix: '/attachments' })
  await fastify.register(weatherRoutes, { prefix: '/weather' })
  await fastify.register(v1Routes, { prefix: '/v1/tasks' })
  await fastify.register(webhookRoutes, { prefix: '/webhooks', allowPrivate: options.webhookAllowPrivate })
  await fastify.register(eventRoutes, { prefix: '/events', heartbeatMs: options.sseHeartbeatMs })
  await fastify.register(socketRoutes, { prefix: '/ws', maxConnections: options.wsMaxConnections, pingIntervalMs: options.wsPingIntervalMs, sendBufferBytes: options.wsSendBufferBytes })
  if (options.inboundWebhookSecret !== '') await fastify.register(inboundRoutes, { prefix: '/inbound', secret: options.inboundWebhookSecret })
}

export default routes
