import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import { build } from '../../helper.js'

t.test('over RATE_LIMIT_MAX a client gets a 429 problem with Retry-After and rate-limit headers', async (t) => {
  const app = await build(t, { RATE_LIMIT_MAX: '3', RATE_LIMIT_WINDOW_MS: '60000' })
  for (let i = 1; i <= 3; i++) {
    const response = await app.inject({ method: 'GET', url: '/tasks' })
    t.equal(response.statusCode, 200)
    t.equal(response.headers['x-ratelimit-limit'], '3')
    t.equal(response.headers['x-ratelimit-remaining'], String(3 - i))
  }
  const response = await app.inject({ method: 'GET', url: '/tasks' })
  t.equal(response.statusCode, 429)
  t.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8')
  t.match(response.headers['retry-after'], /^\d+$/)
  t.ok(Number(response.headers['retry-after']) > 0 && Number(response.headers['retry-after']) <= 60)
  t.equal(response.headers['x-ratelimit-remaining'], '0')
  t.match(response.json(), {
    type: 'https://example.com/errors/rate-limited',
    title: 'Too many requests',
    status: 429,
    detail: /3 requests per 60 seconds/,
    instance: '/tasks'
  })
})

t.test('each client IP has its own budget', async (t) => {
  const app = await build(t, { RATE_LIMIT_MAX: '1' })
  t.equal((await app.inject({ method: 'GET', url: '/tasks', remoteAddress: '10.0.0.1' })).statusCode, 200)
  t.equal((await app.inject({ method: 'GET', url: '/tasks', remoteAddress: '10.0.0.1' })).statusCode, 429)
  t.equal((await app.inject({ method: 'GET', url: '/tasks', remoteAddress: '10.0.0.2' })).statusCode, 200)
})

t.test('with TRUST_PROXY the client IP comes from X-Forwarded-For', async (t) => {
  const trusting = await build(t, { RATE_LIMIT_MAX: '1', TRUST_PROXY: 'true' })
  const from = (ip: string) => trusting.inject({ method: 'GET', url: '/tasks', headers: { 'x-forwarded-for': ip } })
  t.equal((await from('203.0.113.1')).statusCode, 200)
  t.equal((await from('203.0.113.1')).statusCode, 429)
  t.equal((await from('203.0.113.2')).statusCode, 200, 'another client behind the same proxy')

  const untrusting = await build(t, { RATE_LIMIT_MAX: '1' })
  const direct = (ip: string) => untrusting.inject({ method: 'GET', url: '/tasks', headers: { 'x-forwarded-for': ip } })
  t.equal((await direct('203.0.113.1')).statusCode, 200)
  t.equal((await direct('203.0.113.2')).statusCode, 429, 'without TRUST_PROXY the header is ignored')
})

t.test('the budget comes back after RATE_LIMIT_WINDOW_MS', async (t) => {
  const app = await build(t, { RATE_LIMIT_MAX: '1', RATE_LIMIT_WINDOW_MS: '2000' })
  t.equal((await app.inject({ method: 'GET', url: '/tasks' })).statusCode, 200)
  t.equal((await app.inject({ method: 'GET', url: '/tasks' })).statusCode, 429)
  await sleep(2100)
  t.equal((await app.inject({ method: 'GET', url: '/tasks' })).statusCode, 200)
})

t.test('RATE_LIMIT_MAX=0 switches rate limiting off', async (t) => {
  const app = await build(t, { RATE_LIMIT_MAX: '0' })
  for (let i = 0; i < 150; i++) {
    const response = await app.inject({ method: 'GET', url: '/tasks' })
    if (response.statusCode !== 200) t.fail(`request ${i} answered ${response.statusCode}`)
    t.equal(response.headers['x-ratelimit-limit'], undefined)
  }
})
