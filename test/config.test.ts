import t from 'tap'
import { ConfigError, loadConfig, publicUrlOf, trustProxyOption } from '../src/config.js'

t.test('every setting has its documented default', async (t) => {
  t.same(loadConfig({}), {
    PORT: 3000,
    HOST: '127.0.0.1',
    DATABASE_URL: './data/tasks.db',
    DATABASE_POOL_SIZE: 10,
    DATABASE_POOL_TIMEOUT_MS: 5000,
    REDIS_URL: '',
    LOG_LEVEL: 'info',
    RATE_LIMIT_MAX: 100,
    RATE_LIMIT_WINDOW_MS: 60000,
    REQUIRE_IF_MATCH: false,
    IDEMPOTENCY_TTL_MS: 86400000,
    CORS_ORIGINS: '',
    REQUEST_TIMEOUT_MS: 30000,
    MAX_EVENT_LOOP_DELAY_MS: 1000,
    MAX_HEAP_USED_BYTES: 1073741824,
    MAX_RSS_BYTES: 0,
    PROBLEM_TYPE_BASE: 'https://example.com/errors/',
    TRUST_PROXY: 'false',
    AUTH: 'off',
    ALLOW_UNAUTHENTICATED: false,
    REGISTRATION: 'admin',
    JWT_SECRET: '',
    SESSION_SECRET: '',
    SESSION_TTL_SECONDS: 43200,
    ACCESS_TOKEN_TTL_SECONDS: 900,
    REFRESH_TOKEN_TTL_SECONDS: 2592000,
    LOGIN_MAX_FAILURES_PER_USER: 5,
    LOGIN_MAX_FAILURES_PER_IP: 20,
    LOGIN_FAILURE_WINDOW_MS: 900000,
    PUBLIC_URL: '',
    JOB_WORKER: 'on',
    JOB_CONCURRENCY: 4,
    JOB_POLL_INTERVAL_MS: 1000,
    JOB_LEASE_MS: 60000,
    JOB_MAX_ATTEMPTS: 10,
    JOB_RETRY_BASE_MS: 1000,
    JOB_SHUTDOWN_GRACE_MS: 5000,
    JOB_RETENTION_MS: 604800000,
    SMTP_URL: '',
    MAIL_FROM: 'task-api <task-api@localhost>',
    INBOUND_WEBHOOK_SECRET: '',
    WEBHOOK_ALLOW_PRIVATE: false,
    WEBHOOK_TIMEOUT_MS: 10_000,
    EVENT_RETENTION_MS: 604_800_000,
    EVENT_POLL_INTERVAL_MS: 1000,
    SSE_HEARTBEAT_MS: 15_000,
    WS_MAX_CONNECTIONS: 10_000,
    WS_SEND_BUFFER_BYTES: 1_048_576,
    WS_PING_INTERVAL_MS: 15_000,
    UPLOADS_DIR: './data/uploads',
    ATTACHMENT_MAX_BYTES: 26_214_400,
    ATTACHMENTS_PER_TASK: 100,
    UPLOAD_GRACE_MS: 900_000,
    WEATHER_API_URL: 'https://api.open-meteo.com/v1/forecast',
    WEATHER_TIMEOUT_MS: 3000,
    WEATHER_CACHE_TTL_MS: 900_000,
    WEATHER_STALE_MS: 3_600_000,
    WEATHER_CACHE_MAX: 10_000,
    WEATHER_CIRCUIT_FAILURES: 5,
    WEATHER_CIRCUIT_OPEN_MS: 30_000
  })
})

t.test('settings are read from the environment and converted', async (t) => {
  t.match(loadConfig({
    PORT: '8080', HOST: '0.0.0.0', AUTH: 'on', RATE_LIMIT_MAX: '0', LOG_LEVEL: 'debug', UNRELATED: 'x',
    REQUIRE_IF_MATCH: 'true', IDEMPOTENCY_TTL_MS: '1000', CORS_ORIGINS: 'https://a.example, https://b.example'
  }), {
    REQUIRE_IF_MATCH: true,
    IDEMPOTENCY_TTL_MS: 1000,
    CORS_ORIGINS: 'https://a.example, https://b.example',
    PORT: 8080,
    HOST: '0.0.0.0',
    RATE_LIMIT_MAX: 0,
    LOG_LEVEL: 'debug'
  })
})

t.test('a bad value is a ConfigError that names the setting', async (t) => {
  const cases: Array<[string, string]> = [
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '-1'],
    ['LOG_LEVEL', 'loud'],
    ['RATE_LIMIT_MAX', '-5'],
    ['RATE_LIMIT_MAX', 'many'],
    ['RATE_LIMIT_WINDOW_MS', '0'],
    ['PROBLEM_TYPE_BASE', 'not a uri'],
    ['TRUST_PROXY', 'yes please'],
    ['REQUIRE_IF_MATCH', 'yes'],
    ['IDEMPOTENCY_TTL_MS', '0'],
    ['REQUEST_TIMEOUT_MS', '0'],
    ['MAX_RSS_BYTES', '-1'],
    ['HOST', ''],
    ['DATABASE_POOL_SIZE', '0'],
    ['DATABASE_POOL_TIMEOUT_MS', 'soon'],
    ['AUTH', 'maybe'],
    ['REGISTRATION', 'anyone'],
    ['ACCESS_TOKEN_TTL_SECONDS', '0'],
    ['SESSION_TTL_SECONDS', '59'],
    ['LOGIN_MAX_FAILURES_PER_USER', '0'],
    ['WEATHER_API_URL', 'api.open-meteo.com/v1/forecast'],
    ['WEATHER_TIMEOUT_MS', '0'],
    ['WEATHER_CACHE_MAX', '0'],
    ['WEATHER_CIRCUIT_FAILURES', 'few']
  ]
  for (const [setting, value] of cases) {
    t.throws(() => loadConfig({ [setting]: value }), {
      name: 'ConfigError',
      message: new RegExp(`^Invalid setting ${setting}=${JSON.stringify(value).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `)
    }, `${setting}=${value}`)
  }
  t.ok(new ConfigError('x') instanceof Error)
})

t.test('TRUST_PROXY becomes Fastify\'s trustProxy option', async (t) => {
  t.equal(trustProxyOption('true'), true)
  t.equal(trustProxyOption('false'), false)
  t.same(trustProxyOption('10.0.0.1, 10.0.0.0/8'), ['10.0.0.1', '10.0.0.0/8'])
  const hops = trustProxyOption('2') as (address: string, hop: number) => boolean
  t.same([hops('x', 0), hops('x', 1), hops('x', 2)], [true, true, false], 'a number trusts that many hops')
})

t.test('a bad JWT_SECRET is named, but its value never written out', async (t) => {
  t.throws(() => loadConfig({ JWT_SECRET: 'hunter2-too-short' }), {
    name: 'ConfigError',
    message: 'Invalid setting JWT_SECRET (value not shown): must be at least 32 characters, or empty to have one generated'
  })
  t.equal(loadConfig({ JWT_SECRET: 'x'.repeat(32) }).JWT_SECRET, 'x'.repeat(32))
})

t.test('a bad SESSION_SECRET is named, but its value never written out', async (t) => {
  t.throws(() => loadConfig({ SESSION_SECRET: 'short-session-secret' }), {
    name: 'ConfigError',
    message: 'Invalid setting SESSION_SECRET (value not shown): must be at least 32 characters, or empty to have one generated'
  })
  t.equal(loadConfig({ SESSION_SECRET: 'x'.repeat(32) }).SESSION_SECRET, 'x'.repeat(32))
})

t.test('a bad REDIS_URL is named, but not written out: it may hold a password', async (t) => {
  t.throws(() => loadConfig({ REDIS_URL: 'http://:hunter2@cache.internal:6379' }), {
    name: 'ConfigError',
    message: 'Invalid setting REDIS_URL (value not shown: it may hold a password): must be a redis:// or rediss:// URL, or empty'
  })
  t.equal(loadConfig({ REDIS_URL: 'rediss://:secret@cache.internal:6380/2' }).REDIS_URL, 'rediss://:secret@cache.internal:6380/2')
})

t.test('a bad SMTP_URL is named, but not written out: it may hold a password', async (t) => {
  t.throws(() => loadConfig({ SMTP_URL: 'http://mailer:hunter2@mail.internal' }), {
    name: 'ConfigError',
    message: 'Invalid setting SMTP_URL (value not shown: it may hold a password): must be an smtp:// or smtps:// URL, or empty'
  })
  t.equal(loadConfig({ SMTP_URL: 'smtps://mailer:secret@mail.internal:465' }).SMTP_URL, 'smtps://mailer:secret@mail.internal:465')
})

t.test('a bad INBOUND_WEBHOOK_SECRET is named, but its value never written out', async (t) => {
  t.throws(() => loadConfig({ INBOUND_WEBHOOK_SECRET: 'hunter2' }), {
    name: 'ConfigError',
    message: 'Invalid setting INBOUND_WEBHOOK_SECRET (value not shown): must be at least 16 characters, or empty to turn inbound webhooks off'
  })
})

t.test('links in emails use PUBLIC_URL, or else the address the server listens on', async (t) => {
  t.equal(publicUrlOf(loadConfig({ PUBLIC_URL: 'https://tasks.example.com' })), 'https://tasks.example.com')
  t.equal(publicUrlOf(loadConfig({ PORT: '8080' })), 'http://127.0.0.1:8080')
  t.equal(publicUrlOf(loadConfig({ HOST: '::1' })), 'http://[::1]:3000')
  t.equal(publicUrlOf(loadConfig({ HOST: '[::1]' })), 'http://[::1]:3000')
})

t.test('AUTH=off is refused on an address other hosts can reach, unless ALLOW_UNAUTHENTICATED=true', async (t) => {
  for (const host of ['0.0.0.0', '::', '192.168.1.20', 'api.example.com']) {
    t.throws(() => loadConfig({ HOST: host }), {
      name: 'ConfigError',
      message: `Refusing to start: AUTH=off on HOST=${host} would let anyone who reaches it read and change every task; set AUTH=on, or ALLOW_UNAUTHENTICATED=true to accept that.`
    }, host)
    t.equal(loadConfig({ HOST: host, ALLOW_UNAUTHENTICATED: 'true' }).HOST, host, `${host} with ALLOW_UNAUTHENTICATED=true`)
    t.equal(loadConfig({ HOST: host, AUTH: 'on' }).HOST, host, `${host} with AUTH=on`)
  }
  for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1']) {
    t.equal(loadConfig({ HOST: host }).HOST, host, `${host} is loopback`)
  }
})
