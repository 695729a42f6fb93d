import t, { type Test } from 'tap'
import { randomInt } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { Redis } from 'ioredis'
import { build, createUser, freePort, startServer, type RunningServer } from '../../helper.js'
import { tcpRelay } from '../../tcp-relay.js'

// These tests count in a real Redis. Test files run in parallel, and other
// runs may share the same Redis: each test counts for a client IP (and a
// username) of its own and deletes those counters when it ends, so nothing is flushed.
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'
// Where the server keeps its counters, as the README documents them.
const KEY_PREFIX = 'task-api:rate-limit:'
const LOGIN_KEY_PREFIX = 'task-api:login-failures:'
const DOWN_WARNING = 'Redis is unreachable: until it answers again the rate limit is not enforced, and failed sign-ins are counted by each instance alone'
const BACK_NOTICE = 'Redis answers again: the rate limit and failed sign-ins are counted in it again'

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

/** A client IP no other test or test run counts for; its counters are deleted when the test ends. */
function clientIpOfItsOwn (t: Test): string {
  const ip = `10.${randomInt(256)}.${randomInt(256)}.${randomInt(256)}`
  t.teardown(async () => { await redis.del(`${KEY_PREFIX}${ip}`, `${LOGIN_KEY_PREFIX}ip:${ip}`) })
  return ip
}

/** A username no other test or test run signs in as; its counter is deleted when the test ends. */
function usernameOfItsOwn (t: Test): string {
  const username = `ada${randomInt(1_000_000_000)}`
  t.teardown(async () => { await redis.del(`${LOGIN_KEY_PREFIX}user:${username}`) })
  return username
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

t.test('RATE_LIMIT_MAX=0 switches limiting off: nothing is counted in Redis', async (t) => {
  const app = await build(t, { RATE_LIMIT_MAX: '0', REDIS_URL })
  const remoteAddress = clientIpOfItsOwn(t)
  for (let i = 0; i < 3; i++) {
    const response = await app.inject({ method: 'GET', url: '/tasks', remoteAddress })
    t.equal(response.statusCode, 200)
    t.equal(response.headers['x-ratelimit-limit'], undefined)
  }
  t.equal(await redis.exists(`${KEY_PREFIX}${remoteAddress}`), 0)
})

/** A sign-in at POST /auth/token from `remoteAddress`. */
async function signInFrom (app: Awaited<ReturnType<typeof build>>, username: string, password: string, remoteAddress: string) {
  const response = await app.inject({
    method: 'POST',
    url: '/auth/token',
    remoteAddress,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ grant_type: 'password', username, password }).toString()
  })
  return response
}

t.test('two instances on one Redis count failed sign-ins together', async (t) => {
  const env = { REDIS_URL, LOGIN_MAX_FAILURES_PER_USER: '3', LOGIN_MAX_FAILURES_PER_IP: '100', LOGIN_FAILURE_WINDOW_MS: '60000' }
  const first = await build(t, env)
  const second = await build(t, env)
  const username = usernameOfItsOwn(t)
  for (const app of [first, second]) await createUser(app, username)
  const remoteAddress = clientIpOfItsOwn(t)

  // A right password clears the count, on whichever instance it is given.
  t.equal((await signInFrom(first, username, 'guess', remoteAddress)).statusCode, 400)
  t.equal((await signInFrom(second, username, `${username} password`, remoteAddress)).statusCode, 200)
  t.equal(await redis.exists(`${LOGIN_KEY_PREFIX}user:${username}`), 0, 'a right password clears the count in Redis')

  for (const app of [first, second, first]) t.equal((await signInFrom(app, username, 'guess', remoteAddress)).statusCode, 400)
  t.equal(await redis.get(`${LOGIN_KEY_PREFIX}user:${username}`), '3', 'three failures, counted in Redis')
  const ttl = await redis.pttl(`${LOGIN_KEY_PREFIX}user:${username}`)
  t.ok(ttl > 0 && ttl <= 60_000, 'which forgets them when the window ends')

  const throttled = await signInFrom(second, username, `${username} password`, remoteAddress)
  t.equal(throttled.statusCode, 429, 'the other instance refuses the right password too, its own count being 1')
  t.match(throttled.json(), { type: 'https://example.com/errors/login-throttled' })
  t.ok(Number(throttled.headers['retry-after']) > 0 && Number(throttled.headers['retry-after']) <= 60, `Retry-After ${throttled.headers['retry-after']}`)
  t.equal(await redis.get(`${LOGIN_KEY_PREFIX}ip:${remoteAddress}`), '4', 'the address\'s failures are counted in Redis as well')
})

t.test('while Redis cannot be reached, each instance still counts failed sign-ins itself', async (t) => {
  const app = await build(t, { REDIS_URL: `redis://127.0.0.1:${await freePort()}`, LOGIN_MAX_FAILURES_PER_USER: '2' })
  await createUser(app, 'ada')
  t.same([
    (await signInFrom(app, 'ada', 'ada password', '10.0.0.1')).statusCode,
    (await signInFrom(app, 'ada', 'guess', '10.0.0.1')).statusCode,
    (await signInFrom(app, 'ada', 'guess', '10.0.0.1')).statusCode,
    (await signInFrom(app, 'ada', 'ada password', '10.0.0.1')).statusCode
  ], [200, 400, 400, 429], 'refused after two failures, never a 500')
})

t.test('a Redis that stops answering holds no sign-in, and the process\'s count still holds', async (t) => {
  const relay = await redisRelay(t)
  const app = await build(t, { REDIS_URL: relay.url, LOGIN_MAX_FAILURES_PER_USER: '1' })
  const username = usernameOfItsOwn(t)
  await createUser(app, username)
  const remoteAddress = clientIpOfItsOwn(t)
  relay.freeze()
  const statuses = await Promise.race([
    (async () => [
      (await signInFrom(app, username, 'guess', remoteAddress)).statusCode,
      (await signInFrom(app, username, `${username} password`, remoteAddress)).statusCode
    ])(),
    // Unreferenced: once the answer has come, this timer keeps the test waiting no longer.
    sleep(10_000, 'no answer within 10 s', { ref: false })
  ])
  t.same(statuses, [400, 429])
})
