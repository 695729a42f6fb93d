import Fastify, { type FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { AccessLogController } from './access-log.js'
import { routedUrl } from './api-versions.js'
import { trustProxyOption, type Config } from './config.js'
import { BODY_LIMIT_BYTES, CONNECTION_TIMEOUT_MS, MAX_HEADER_BYTES, MAX_PARAM_LENGTH, TIMEOUT_CHECK_INTERVAL_MS } from './http-limits.js'
import accessControlPlugin from './plugins/app/access-control.js'
import databasePlugin from './plugins/app/database.js'
import deprecationPlugin from './plugins/app/deprecation.js'
import drainingPlugin from './plugins/app/draining.js'
import eventLogPurgePlugin from './plugins/app/event-log-purge.js'
import logTailPlugin from './plugins/app/log-tail.js'
import uploadsPlugin from './plugins/app/uploads.js'
import weatherPlugin from './plugins/app/weather.js'
import idempotencyPlugin from './plugins/app/idempotency.js'
import jobWorkerPlugin, { jobWorkerSettings } from './plugins/app/job-worker.js'
import problemDetailsPlugin from './plugins/app/problem-details.js'
import responseHeadersPlugin, { setProcessTimeHeader, setRequestIdHeader } from './plugins/app/response-headers.js'
import corsPlugin from './plugins/external/cors.js'
import rateLimitPlugin from './plugins/external/rate-limit.js'
import redisPlugin from './plugins/external/redis.js'
import swaggerPlugin from './plugins/external/swagger.js'
import livePagePlugin from './plugins/external/live-page.js'
import swaggerUiPlugin from './plugins/external/swagger-ui.js'
import underPressurePlugin from './plugins/external/under-pressure.js'
import webSocketPlugin from './plugins/external/websocket.js'
import { clientErrorHandler } from './problems/client-error.js'
import { replyWithProblem } from './problems/problem-reply.js'
import { requestIdFor } from './request-id.js'
import { requestLogValue } from './request-log.js'
import { requestValidatorCompiler } from './request-validator.js'
import { buildResponseSerializer } from './response-serializer.js'
import routes from './routes/index.js'
import webPages from './web/index.js'
import { sharedSchemas } from './schemas/shared-schemas.js'

/**
 * Builds the whole application from its settings, ready to listen or to be
 * tested with `inject`: the server and the tests both start here.
 */
export async function buildApp (config: Config): Promise<FastifyInstance> {
  const app = Fastify({
    logger: { level: config.LOG_LEVEL, serializers: { req: requestLogValue } },
    logController: new AccessLogController(),
    trustProxy: trustProxyOption(config.TRUST_PROXY),
    bodyLimit: BODY_LIMIT_BYTES,
    // A request must arrive whole within REQUEST_TIMEOUT_MS (else 408), so a
    // slow client cannot hold a connection; an idle one is closed. Node takes
    // the later of the headers and request deadlines and checks them at an
    // interval, so both are set.
    http: {
      maxHeaderSize: MAX_HEADER_BYTES,
      headersTimeout: config.REQUEST_TIMEOUT_MS,
      connectionsCheckingInterval: Math.min(TIMEOUT_CHECK_INTERVAL_MS, config.REQUEST_TIMEOUT_MS)
    },
    requestTimeout: config.REQUEST_TIMEOUT_MS,
    clientErrorHandler: clientErrorHandler(config.PROBLEM_TYPE_BASE),
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    // While shutting down, the draining plugin answers with a 503 problem.
    return503OnClosing: false,
    genReqId: requestIdFor,
    requestIdHeader: false,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: MAX_PARAM_LENGTH },
    // /v2/... and most of /v1/tasks/... are answered by the unprefixed routes.
    rewriteUrl: routedUrl,
    schemaController: { compilersFactory: { buildSerializer: buildResponseSerializer } },
    // Requests the router rejects before any hook runs (a malformed URL) get
    // the same headers and problem details as every other response.
    frameworkErrors: (error, request, reply) => {
      setRequestIdHeader(request, reply)
      setProcessTimeHeader(reply)
      return replyWithProblem(error, request, reply, config.PROBLEM_TYPE_BASE)
    }
  }).withTypeProvider<TypeBoxTypeProvider>()

  // JSON is the only body this API reads; anything else is a 415.
  app.removeContentTypeParser('text/plain')
  for (const schema of sharedSchemas) app.addSchema(schema)
  app.setValidatorCompiler(requestValidatorCompiler(sharedSchemas))

  // Cross-cutting plugins first: they hook into every route registered after them.
  await app.register(responseHeadersPlugin)
  await app.register(deprecationPlugin)
  await app.register(problemDetailsPlugin, { typeBase: config.PROBLEM_TYPE_BASE })
  await app.register(drainingPlugin)
  await app.register(underPressurePlugin, {
    maxEventLoopDelayMs: config.MAX_EVENT_LOOP_DELAY_MS,
    maxHeapUsedBytes: config.MAX_HEAP_USED_BYTES,
    maxRssBytes: config.MAX_RSS_BYTES
  })
  await app.register(swaggerPlugin, { mode: config.AUTH })
  // Before rate limiting, so a browser can read a 429 too.
  await app.register(corsPlugin, { origins: config.CORS_ORIGINS })
  await app.register(redisPlugin, { url: config.REDIS_URL })
  await app.register(rateLimitPlugin, { max: config.RATE_LIMIT_MAX, windowMs: config.RATE_LIMIT_WINDOW_MS })
  await app.register(databasePlugin, config)
  // Swagger UI's pages, the live page and the CORS preflight route come before access
  // control, which gives every route registered after it a check of who is
  // asking (each route says who may call it).
  await app.register(swaggerUiPlugin)
  await app.register(livePagePlugin)
  // Before access control, whose check of who is asking runs on the upgrade too.
  await app.register(webSocketPlugin)
  await app.register(accessControlPlugin, {
    mode: config.AUTH,
    jwtSecret: config.JWT_SECRET,
    accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlSeconds: config.REFRESH_TOKEN_TTL_SECONDS,
    loginThrottle: { maxPerUser: config.LOGIN_MAX_FAILURES_PER_USER, maxPerIp: config.LOGIN_MAX_FAILURES_PER_IP, windowMs: config.LOGIN_FAILURE_WINDOW_MS }
  })
  await app.register(idempotencyPlugin, { ttlMs: config.IDEMPOTENCY_TTL_MS })
  await app.register(eventLogPurgePlugin, { retentionMs: config.EVENT_RETENTION_MS })
  await app.register(logTailPlugin, { pollIntervalMs: config.EVENT_POLL_INTERVAL_MS })
  if (config.JOB_WORKER === 'on') await app.register(jobWorkerPlugin, jobWorkerSettings(config))
  await app.register(uploadsPlugin, { directory: config.UPLOADS_DIR, graceMs: config.UPLOAD_GRACE_MS })
  await app.register(weatherPlugin, {
    url: config.WEATHER_API_URL,
    timeoutMs: config.WEATHER_TIMEOUT_MS,
    ttlMs: config.WEATHER_CACHE_TTL_MS,
    staleMs: config.WEATHER_STALE_MS,
    maxEntries: config.WEATHER_CACHE_MAX,
    circuitFailures: config.WEATHER_CIRCUIT_FAILURES,
    circuitOpenMs: config.WEATHER_CIRCUIT_OPEN_MS
  })

  await app.register(routes, {
    requireIfMatch: config.REQUIRE_IF_MATCH,
    attachments: { maxBytes: config.ATTACHMENT_MAX_BYTES, maxPerTask: config.ATTACHMENTS_PER_TASK },
    registration: config.REGISTRATION,
    accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlSeconds: config.REFRESH_TOKEN_TTL_SECONDS,
    inboundWebhookSecret: config.INBOUND_WEBHOOK_SECRET,
    webhookAllowPrivate: config.WEBHOOK_ALLOW_PRIVATE,
    sseHeartbeatMs: config.SSE_HEARTBEAT_MS,
    wsMaxConnections: config.WS_MAX_CONNECTIONS,
    wsPingIntervalMs: config.WS_PING_INTERVAL_MS,
    wsSendBufferBytes: config.WS_SEND_BUFFER_BYTES
  })
  await app.register(webPages, {
    mode: config.AUTH,
    registration: config.REGISTRATION,
    sessionSecret: config.SESSION_SECRET,
    sessionTtlSeconds: config.SESSION_TTL_SECONDS
  })

  return app
}
