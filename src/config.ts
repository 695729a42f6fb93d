import { Type, type Static } from '@sinclair/typebox'
import { Ajv, type ErrorObject } from 'ajv'
import addFormats from 'ajv-formats'
import { StringEnum } from './schemas/type-helpers.js'

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

/** Every setting the server reads from its environment, with its default. */
export const ConfigSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  // A SQLite file path (or `:memory:`), or a `postgres://` (`postgresql://`) URL for PostgreSQL.
  DATABASE_URL: Type.String({ minLength: 1, default: './data/tasks.db' }),
  // PostgreSQL only: connections per instance, and how long a request waits for one before a 503.
  DATABASE_POOL_SIZE: Type.Integer({ minimum: 1, default: 10 }),
  DATABASE_POOL_TIMEOUT_MS: Type.Integer({ minimum: 1, default: 5000 }),
  // `redis://` URL: rate limits are counted there, shared by every instance; empty: per process.
  REDIS_URL: Type.String({ default: '', pattern: '^(|rediss?://.*)$' }),
  LOG_LEVEL: StringEnum(LOG_LEVELS, { default: 'info' }),
  RATE_LIMIT_MAX: Type.Integer({ minimum: 0, default: 100 }),
  RATE_LIMIT_WINDOW_MS: Type.Integer({ minimum: 1, default: 60000 }),
  // PATCH, PUT, DELETE and restore without If-Match are refused (428) when true.
  REQUIRE_IF_MATCH: Type.Boolean({ default: false }),
  // How long the response to an Idempotency-Key is kept and replayed.
  IDEMPOTENCY_TTL_MS: Type.Integer({ minimum: 1, default: 86_400_000 }),
  // Comma-separated origins allowed to call the API from a browser; empty turns CORS off.
  CORS_ORIGINS: Type.String({ default: '' }),
  // A request must arrive whole within this time, or it is answered 408.
  REQUEST_TIMEOUT_MS: Type.Integer({ minimum: 1, default: 30_000 }),
  // Past any of these, requests are turned away with a 503 problem; 0 for no limit.
  MAX_EVENT_LOOP_DELAY_MS: Type.Integer({ minimum: 0, default: 1000 }),
  MAX_HEAP_USED_BYTES: Type.Integer({ minimum: 0, default: 1024 * 1024 * 1024 }),
  MAX_RSS_BYTES: Type.Integer({ minimum: 0, default: 0 }),
  PROBLEM_TYPE_BASE: Type.String({ format: 'uri', default: 'https://example.com/errors/' }),
  // `true`, `false`, a number of proxy hops, or a comma-separated list of proxy addresses or subnets
  TRUST_PROXY: Type.String({ pattern: '^(true|false|\\d+|[\\w.:/]+(\\s*,\\s*[\\w.:/]+)*)$', default: 'false' }),
  // `off`: a request without a token acts as the built-in local administrator; `on`: a bearer token is needed.
  AUTH: StringEnum(['off', 'on'], { default: 'off' }),
  // AUTH=off on an address other hosts can reach is refused unless this is true.
  ALLOW_UNAUTHENTICATED: Type.Boolean({ default: false }),
  // Who may create users with POST /users: administrators only, or anyone.
  REGISTRATION: StringEnum(['admin', 'open'], { default: 'admin' }),
  // The key access tokens are signed with (HS256); empty: one is generated once and kept in the database.
  JWT_SECRET: Type.String({ default: '', pattern: '^(|.{32,})$' }),
  // The key the web pages' session cookies are encrypted with, at least 32 characters; empty: one is generated once and kept in the database.
  SESSION_SECRET: Type.String({ default: '', pattern: '^(|.{32,})$' }),
  // How long a sign-in to the web pages lasts after its last page (12 hours): each page renews it.
  SESSION_TTL_SECONDS: Type.Integer({ minimum: 60, default: 12 * 60 * 60 }),
  ACCESS_TOKEN_TTL_SECONDS: Type.Integer({ minimum: 1, default: 900 }),
  REFRESH_TOKEN_TTL_SECONDS: Type.Integer({ minimum: 1, default: 30 * 24 * 60 * 60 }),
  // Failed logins allowed per username, and per client IP, within LOGIN_FAILURE_WINDOW_MS before 429.
  LOGIN_MAX_FAILURES_PER_USER: Type.Integer({ minimum: 1, default: 5 }),
  LOGIN_MAX_FAILURES_PER_IP: Type.Integer({ minimum: 1, default: 20 }),
  LOGIN_FAILURE_WINDOW_MS: Type.Integer({ minimum: 1, default: 15 * 60 * 1000 }),
  // Where clients reach the API (links in emails); empty: http://HOST:PORT.
  PUBLIC_URL: Type.String({ default: '', pattern: '^(|https?://.+)$' }),
  // `on`: the server works the job queue too; `off`: only `npm run worker` processes do.
  JOB_WORKER: StringEnum(['off', 'on'], { default: 'on' }),
  JOB_CONCURRENCY: Type.Integer({ minimum: 1, default: 4 }),
  JOB_POLL_INTERVAL_MS: Type.Integer({ minimum: 1, default: 1000 }),
  // A job whose worker died is taken up again this long after it was claimed.
  JOB_LEASE_MS: Type.Integer({ minimum: 1000, default: 60_000 }),
  JOB_MAX_ATTEMPTS: Type.Integer({ minimum: 1, default: 10 }),
  // The wait after a job's first failure, doubled after each next one (up to an hour), less up to half at random.
  JOB_RETRY_BASE_MS: Type.Integer({ minimum: 1, default: 1000 }),
  // On shutdown, jobs being worked get this long to finish before they are given back.
  JOB_SHUTDOWN_GRACE_MS: Type.Integer({ minimum: 0, default: 5000 }),
  // Jobs done or skipped are forgotten this long after they finished (dead ones stay until retried).
  JOB_RETENTION_MS: Type.Integer({ minimum: 1, default: 7 * 24 * 60 * 60 * 1000 }),
  // `smtp://` or `smtps://` URL (user and password in it, if any) of the server that sends emails; empty: emails are skipped.
  SMTP_URL: Type.String({ default: '', pattern: '^(|smtps?://.+)$' }),
  MAIL_FROM: Type.String({ minLength: 1, default: 'task-api <task-api@localhost>' }),
  // The key of POST /inbound/tasks's HMAC signatures, at least 16 characters (or `whsec_` and base64); empty: the route is off.
  INBOUND_WEBHOOK_SECRET: Type.String({ default: '', pattern: '^(|.{16,})$' }),
  // Whether webhooks may point at loopback, private, link-local and metadata addresses (never, in production).
  WEBHOOK_ALLOW_PRIVATE: Type.Boolean({ default: false }),
  // A webhook receiver that has not answered (its headers) within this long fails the attempt.
  WEBHOOK_TIMEOUT_MS: Type.Integer({ minimum: 1, default: 10_000 }),
  // The change log keeps events this long (7 days): a feed resumed from an older one is told to reload.
  EVENT_RETENTION_MS: Type.Integer({ minimum: 1, default: 7 * 24 * 60 * 60 * 1000 }),
  // How often an open feed looks for events committed by other instances (its own instance's reach it at once).
  EVENT_POLL_INTERVAL_MS: Type.Integer({ minimum: 1, default: 1000 }),
  // A comment line sent this often on an idle feed, so that proxies and clients keep the connection.
  SSE_HEARTBEAT_MS: Type.Integer({ minimum: 1, default: 15_000 }),
  // WebSocket connections open at once in this instance; one more is refused with a 503.
  WS_MAX_CONNECTIONS: Type.Integer({ minimum: 1, default: 10_000 }),
  // Unsent bytes past which a WebSocket's feed waits for its client to read; one that has not caught up within 5 s is closed with 1013 (it resumes).
  WS_SEND_BUFFER_BYTES: Type.Integer({ minimum: 1, default: 1024 * 1024 }),
  // A WebSocket is pinged this often; one that has not answered the last ping is closed as lost (within two intervals).
  WS_PING_INTERVAL_MS: Type.Integer({ minimum: 1, default: 15_000 }),
  // Where uploaded files are kept, by the SHA-256 of their content; several instances may share it.
  UPLOADS_DIR: Type.String({ minLength: 1, default: './data/uploads' }),
  // The largest file an attachment may be (25 MiB); a longer one is refused with 413.
  ATTACHMENT_MAX_BYTES: Type.Integer({ minimum: 1, default: 25 * 1024 * 1024 }),
  // How many files one task may have attached; past it an upload is refused with 422.
  ATTACHMENTS_PER_TASK: Type.Integer({ minimum: 1, default: 100 }),
  // A file no row refers to (an upload cut short, an attachment removed) is removed once it is this old (15 minutes): longer than an upload takes.
  UPLOAD_GRACE_MS: Type.Integer({ minimum: 0, default: 15 * 60 * 1000 }),
  // Open-Meteo's forecast endpoint (or one with its API), where GET /weather reads the weather.
  WEATHER_API_URL: Type.String({ pattern: '^https?://.+', default: 'https://api.open-meteo.com/v1/forecast' }),
  // The weather service must answer within this long, else the request is a 504 (or answered from a stale reading).
  WEATHER_TIMEOUT_MS: Type.Integer({ minimum: 1, default: 3000 }),
  // A reading is answered from the cache this long (15 minutes)...
  WEATHER_CACHE_TTL_MS: Type.Integer({ minimum: 1, default: 15 * 60 * 1000 }),
  // ... and kept this long (an hour), to answer, marked stale, while the weather service fails.
  WEATHER_STALE_MS: Type.Integer({ minimum: 0, default: 60 * 60 * 1000 }),
  // Readings kept at most (by place and hour); the least recently used go first.
  WEATHER_CACHE_MAX: Type.Integer({ minimum: 1, default: 10_000 }),
  // After this many failures in a row, the weather service is not asked for WEATHER_CIRCUIT_OPEN_MS (then one request tries it).
  WEATHER_CIRCUIT_FAILURES: Type.Integer({ minimum: 1, default: 5 }),
  WEATHER_CIRCUIT_OPEN_MS: Type.Integer({ minimum: 1, default: 30_000 })
})
export type Config = Static<typeof ConfigSchema>

/** A setting in the environment that the server cannot run with. */
export class ConfigError extends Error {
  override name = 'ConfigError'
}

/**
 * Reads and validates the settings. Anything not given takes its default;
 * a bad value throws a ConfigError whose message names the setting.
 * (One Ajv validator, converting the environment's text to each setting's
 * type: env-schema does the same, but building its own Ajv instances on import
 * cost a tenth of the server's start-up.)
 */
export function loadConfig (env: Record<string, string | undefined> = process.env): Config {
  const config: Record<string, unknown> = {}
  for (const name of Object.keys(ConfigSchema.properties)) {
    if (env[name] !== undefined) config[name] = env[name]
  }
  const ajv = new Ajv({ coerceTypes: true, useDefaults: true, validateSchema: false })
  addFormats.default(ajv, ['uri'])
  const validate = ajv.compile<Config>(ConfigSchema)
  if (!validate(config)) {
    // A failed validation reports at least one error; the first names the setting.
    const { instancePath, message } = (validate.errors as ErrorObject[])[0] as ErrorObject
    const setting = instancePath.slice(1)
    // A secret is never written out, not even a wrong one; its rule is said in
    // words, where Ajv would quote the pattern.
    if (setting === 'JWT_SECRET') throw new ConfigError('Invalid setting JWT_SECRET (value not shown): must be at least 32 characters, or empty to have one generated')
    if (setting === 'SESSION_SECRET') throw new ConfigError('Invalid setting SESSION_SECRET (value not shown): must be at least 32 characters, or empty to have one generated')
    if (setting === 'REDIS_URL') throw new ConfigError('Invalid setting REDIS_URL (value not shown: it may hold a password): must be a redis:// or rediss:// URL, or empty')
    if (setting === 'INBOUND_WEBHOOK_SECRET') throw new ConfigError('Invalid setting INBOUND_WEBHOOK_SECRET (value not shown): must be at least 16 characters, or empty to turn inbound webhooks off')
    if (setting === 'SMTP_URL') throw new ConfigError('Invalid setting SMTP_URL (value not shown: it may hold a password): must be an smtp:// or smtps:// URL, or empty')
    throw new ConfigError(`Invalid setting ${setting}=${JSON.stringify(env[setting])}: ${message}`)
  }
  if (config.AUTH === 'off' && !isLoopback(config.HOST) && !config.ALLOW_UNAUTHENTICATED) {
    throw new ConfigError(`Refusing to start: AUTH=off on HOST=${config.HOST} would let anyone who reaches it read and change every task; set AUTH=on, or ALLOW_UNAUTHENTICATED=true to accept that.`)
  }
  return config
}

/**
 * The settings of this process (the server's, or a worker's): on a bad one,
 * its ConfigError's line goes to stderr and the process exits 1.
 */
export function loadConfigOrExit (): Config {
  try {
    return loadConfig()
  } catch (error) {
    /* c8 ignore next -- loadConfig reports every bad setting as a ConfigError */
    if (!(error instanceof ConfigError)) throw error
    console.error(error.message)
    process.exit(1)
  }
}

/** Where clients reach the API: PUBLIC_URL, or else the address the server listens on. */
export function publicUrlOf ({ PUBLIC_URL, HOST, PORT }: Pick<Config, 'PUBLIC_URL' | 'HOST' | 'PORT'>): string {
  if (PUBLIC_URL !== '') return PUBLIC_URL
  return `http://${HOST.includes(':') && !HOST.startsWith('[') ? `[${HOST}]` : HOST}:${PORT}`
}

/** Whether an address only this machine can reach: the loopback range, ::1 or localhost. */
export function isLoopback (host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host)
}

/** Fastify's `trustProxy` option from the TRUST_PROXY setting. */
export function trustProxyOption (value: string): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (value === 'true') return true
  if (value === 'false') return false
  if (/^\d+$/.test(value)) {
    const hops = Number(value)
    return (_address, hop) => hop < hops
  }
  return value.split(',').map((address) => address.trim())
}
