import t, { type Test } from 'tap'
import { randomInt } from 'node:crypto'
import { once } from 'node:events'
import { createServer, type AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { Redis } from 'ioredis'
import { build, freePort, startServer, type RunningServer } from '../../helper.js'
import { tcpRelay } from '../../tcp-relay.js'

// These tests count in a real Redis. Test files run in parallel, and other
// runs may share the same Redis: each test counts for a client IP of its
// own and deletes that counter when it ends, so nothing is flushed.
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'
// Where the server keeps a client's counter, as the README documents it.
const KEY_PREFIX = 'task-api:rate-limit:'
const DOWN_WARNING = 'Redis for rate limiting is unreachable: the rate limit is not enforced until it answers again'
const BACK_NOTICE = 'Redis for rate limiting answers again: the rate limit is enforced'

// Without Redis these tests fail here, saying why, rather than skip.
const redis = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, retryStrategy: () => null })
let connectionError: Error | undefined
redis.on('error', (error) => { connectionError ??= error })
try {
  await redis.connect()
} catch (error) {
  throw new Error(`These tests need a Redis at ${REDIS_URL} (set TEST_REDIS_URL for another): ${(connectionError ?? error as Error).message}`)
}
t.teardown(() => redis.quit())

/** A client IP no other test or test run counts for; its counter is deleted when the test ends. */
function clientIpOfItsOwn (t: Test): string {
  const ip = `10.${randomInt(256)}.${randomInt(256)}.${randomInt(256)}`
  t.teardown(async () => { await redis.del(`${KEY_PREFIX}${ip}`) })
  return ip
}


/** The lines a server logged with this message. */
function logged (server: RunningServer, msg: string): Array<Record<string, unknown>> {
  return server.output().trim().split('\n').map((line) => JSON.parse(line)).filter((line) => line.msg === msg)
}

/** Resolves once the server has logged `msg`. */
async function waitForLog (server: RunningServer, msg: string): Promise<void> {
  while (logged(server, msg).length === 0) await sleep(20)
}

/** A relay in front of the test Redis (see test/tcp-relay.ts). */
const redisRelay = (t: Test) => tcpRelay(t, REDIS_URL)

t.test('two instances on one Redis share each client\'s budget', async (t) => {
  const env = { RATE_LIMIT_MAX: '3', RATE_LIMIT_WINDOW_MS: '60000', REDIS_URL }
  const first = await build(t, env)
  const second = await build(t, env)
  const remoteAddress = clientIpOfItsOwn(t)
  const get = (app: typeof first) => app.inject({ method: 'GET', url: '/tasks', remoteAddress })

  for (const [i, app] of [first, second, first].entries()) {
    const response = await get(app)
    t.equal(response.statusCode, 200, `request ${i + 1}`)
    t.equal(response.headers['x-ratelimit-remaining'], String(2 - i))
  }
  for (const app of [second, first]) {
    const response = await get(app)
    t.equal(response.statusCode, 429)
    t.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8')
    t.ok(Number(response.headers['retry-after']) > 0 && Number(response.headers['retry-after']) <= 60, 'Retry-After within the window')
    t.match(response.json(), {
      type: 'https://example.com/errors/rate-limited',
      title: 'Too many requests',
      status: 429,
      detail: /3 requests per 60 seconds/
    })
  }

  t.equal(await redis.get(`${KEY_PREFIX}${remoteAddress}`), '5', 'the count is kept in Redis')
  const ttl = await redis.pttl(`${KEY_PREFIX}${remoteAddress}`)
  t.ok(ttl > 0 && ttl <= 60000, 'and expires with the window')

  const other = await second.inject({ method: 'GET', url: '/tasks', remoteAddress: clientIpOfItsOwn(t) })
  t.equal(other.statusCode, 200, 'another client has a budget of its own')
})

t.test('two server processes on one Redis count every request of a client together', async (t) => {
  const env = { DATABASE_URL: ':memory:', RATE_LIMIT_MAX: '3', REDIS_URL, TRUST_PROXY: 'true' }
  const servers = await Promise.all([startServer(t, env), startServer(t, env)])
  // Behind the trusted proxy header, the client is the IP of this test's own.
  const headers = { 'x-forwarded-for': clientIpOfItsOwn(t) }
  const statuses: number[] = []
  for (let i = 0; i < 6; i++) {
    const server = servers[i % 2] as RunningServer
    statuses.push((await fetch(`${server.url}/tasks`, { headers })).status)
  }
  t.same(statuses, [200, 200, 200, 429, 429, 429], 'the fourth request is refused, whichever process it reaches')
  for (const server of servers) t.equal(await server.stop(), 0)
})

t.test('while Redis cannot be reached requests are let through, and the server says so once', async (t) => {
  const server = await startServer(t, { DATABASE_URL: ':memory:', RATE_LIMIT_MAX: '1', REDIS_URL: `redis://127.0.0.1:${await freePort()}` })
  for (let i = 1; i <= 5; i++) {
    // A server waiting on Redis would fail this test here rather than at tap's timeout.
    const response = await fetch(`${server.url}/tasks`, { signal: AbortSignal.timeout(10_000) })
    t.equal(response.status, 200, `request ${i} of a limit of 1`)
  }
  // The client goes on trying to connect in the background: several failed attempts by now.
  await sleep(500)
  t.equal(await server.stop(), 0, 'and it stops cleanly')

  t.match(logged(server, DOWN_WARNING), [{ level: 40, err: { code: 'ECONNREFUSED' } }], 'one warning, with its cause')
  const errors = server.output().trim().split('\n').map((line) => JSON.parse(line)).filter((line) => line.level >= 50)
  t.same(errors, [], 'nothing logged as an error')
})

t.test('when Redis comes back the limit is enforced again, counting on from where it was', async (t) => {
  const relay = await redisRelay(t)
  const server = await startServer(t, { DATABASE_URL: ':memory:', RATE_LIMIT_MAX: '2', REDIS_URL: relay.url, TRUST_PROXY: 'true' })
  const headers = { 'x-forwarded-for': clientIpOfItsOwn(t) }
  const get = async () => (await fetch(`${server.url}/tasks`, { headers, signal: AbortSignal.timeout(10_000) })).status

  t.equal(await get(), 200, 'counted: 1 of 2')
  await relay.stop()
  await waitForLog(server, DOWN_WARNING)
  t.same([await get(), await get(), await get()], [200, 200, 200], 'not counted while Redis is away')

  await relay.start()
  await waitForLog(server, BACK_NOTICE)
  t.same([await get(), await get()], [200, 429], 'counted again: 2 of 2, then refused')
  t.equal(await server.stop(), 0)
  t.equal(logged(server, DOWN_WARNING).length, 1, 'one warning for the outage')
  t.equal(logged(server, BACK_NOTICE).length, 1, 'one line for the return')
})

t.test('a Redis that stops answering on an open connection holds no request', async (t) => {
  const relay = await redisRelay(t)
  const app = await build(t, { RATE_LIMIT_MAX: '1', REDIS_URL: relay.url })
  const remoteAddress = clientIpOfItsOwn(t)
  t.equal((await app.inject({ method: 'GET', url: '/tasks', remoteAddress })).statusCode, 200)
  relay.freeze()
  const answer = await Promise.race([
    app.inject({ method: 'GET', url: '/tasks', remoteAddress }).then((response) => response.statusCode),
    // Unreferenced: once the answer has come, this timer keeps the test waiting no longer.
    sleep(10_000, 'no answer within 10 s', { ref: false })
  ])
  t.equal(answer, 200, 'let through once Redis took too long to answer')
})

t.test('RATE_LIMIT_MAX=0 switches limiting off without connecting to Redis', async (t) => {
  let connections = 0
  const listener = createServer((socket) => { connections++; socket.destroy() }).listen(0, '127.0.0.1')
  await once(listener, 'listening')
  t.teardown(() => listener.close())

  const app = await build(t, { RATE_LIMIT_MAX: '0', REDIS_URL: `redis://127.0.0.1:${(listener.address() as AddressInfo).port}` })
  const response = await app.inject({ method: 'GET', url: '/tasks' })
  t.equal(response.statusCode, 200)
  t.equal(response.headers['x-ratelimit-limit'], undefined)
  t.equal(connections, 0)
})
