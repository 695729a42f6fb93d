import t from 'tap'
import { build, createTask } from '../../helper.js'

const ORIGIN = 'https://app.example'

t.test('without CORS_ORIGINS no CORS header is sent and OPTIONS is not a preflight', async (t) => {
  const app = await build(t)
  const response = await app.inject({ method: 'GET', url: '/tasks', headers: { origin: ORIGIN } })
  t.equal(response.statusCode, 200)
  t.equal(response.headers['access-control-allow-origin'], undefined)
  const preflight = await app.inject({
    method: 'OPTIONS',
    url: '/tasks',
    headers: { origin: ORIGIN, 'access-control-request-method': 'POST' }
  })
  t.equal(preflight.statusCode, 405, 'no route answers OPTIONS')
  t.equal(preflight.headers['access-control-allow-origin'], undefined)
})

t.test('a listed origin may read every header the API sends', async (t) => {
  const app = await build(t, { CORS_ORIGINS: `https://other.example, ${ORIGIN}` })
  const task = await createTask(app, { title: 'Shared' })
  const response = await app.inject({ method: 'GET', url: `/tasks/${task.id}`, headers: { origin: ORIGIN } })
  t.equal(response.statusCode, 200)
  t.equal(response.headers['access-control-allow-origin'], ORIGIN)
  const exposed = String(response.headers['access-control-expose-headers']).split(',').map((name) => name.trim().toLowerCase())
  for (const header of ['etag', 'location', 'link', 'idempotent-replayed', 'x-request-id', 'retry-after', 'x-ratelimit-remaining']) {
    t.ok(exposed.includes(header), `${header} is exposed`)
  }
  t.ok(Object.keys(response.headers).filter((name) => !name.startsWith('access-control-') && !['content-type', 'content-length', 'date', 'connection', 'vary', 'cache-control'].includes(name))
    .every((name) => exposed.includes(name)), 'so is everything else the response carries')
})

t.test('a preflight from a listed origin allows the API\'s methods and request headers', async (t) => {
  const app = await build(t, { CORS_ORIGINS: ORIGIN })
  const response = await app.inject({
    method: 'OPTIONS',
    url: '/tasks/1',
    headers: { origin: ORIGIN, 'access-control-request-method': 'PATCH', 'access-control-request-headers': 'if-match, content-type' }
  })
  t.equal(response.statusCode, 204)
  t.equal(response.headers['access-control-allow-origin'], ORIGIN)
  t.match(response.headers['access-control-allow-methods'], /PUT/)
  t.match(response.headers['access-control-allow-methods'], /PATCH/)
  t.match(response.headers['access-control-allow-methods'], /DELETE/)
  for (const header of ['Authorization', 'If-Match', 'If-None-Match', 'Idempotency-Key', 'Content-Type']) {
    t.match(response.headers['access-control-allow-headers'], header)
  }
  t.equal(response.headers['access-control-max-age'], '600')
})

t.test('an origin that is not listed gets no CORS headers', async (t) => {
  const app = await build(t, { CORS_ORIGINS: ORIGIN })
  const response = await app.inject({ method: 'GET', url: '/tasks', headers: { origin: 'https://evil.example' } })
  t.equal(response.statusCode, 200)
  t.equal(response.headers['access-control-allow-origin'], undefined)
})

t.test('with CORS on, unknown paths are still 404 and wrong methods still 405', async (t) => {
  const app = await build(t, { CORS_ORIGINS: ORIGIN })
  t.equal((await app.inject({ method: 'GET', url: '/nowhere' })).statusCode, 404)
  const wrong = await app.inject({ method: 'DELETE', url: '/tasks' })
  t.equal(wrong.statusCode, 405)
  t.equal(wrong.headers.allow, 'GET, HEAD, POST')
})

t.test('with AUTH=on a page from an allowed origin sends its bearer token and reads why it was refused', async (t) => {
  const app = await build(t, { CORS_ORIGINS: ORIGIN, AUTH: 'on' })
  const preflight = await app.inject({
    method: 'OPTIONS',
    url: '/tasks',
    headers: { origin: ORIGIN, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' }
  })
  t.equal(preflight.statusCode, 204, 'the preflight needs no token: browsers never send one with it')
  t.match(preflight.headers['access-control-allow-headers'], 'Authorization')
  const refused = await app.inject({ method: 'GET', url: '/tasks', headers: { origin: ORIGIN, authorization: 'Bearer expired' } })
  t.equal(refused.statusCode, 401)
  t.equal(refused.headers['access-control-allow-origin'], ORIGIN)
  t.match(refused.headers['access-control-expose-headers'], 'WWW-Authenticate')
})
