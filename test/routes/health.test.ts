import t from 'tap'
import { build } from '../helper.js'
import { packageVersion } from '../../src/package-info.js'

t.test('GET /health answers ok with the version once the database answers', async (t) => {
  const app = await build(t)
  const response = await app.inject({ method: 'GET', url: '/health' })
  t.equal(response.statusCode, 200)
  t.same(response.json(), { status: 'ok', version: packageVersion })
})

t.test('GET /health is a 503 problem when the database cannot answer', async (t) => {
  const app = await build(t)
  await app.db.close()
  const response = await app.inject({ method: 'GET', url: '/health' })
  t.equal(response.statusCode, 503)
  t.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8')
  t.match(response.json(), { type: 'https://example.com/errors/service-unavailable', status: 503, instance: '/health' })
})

t.test('GET /health is never rate limited', async (t) => {
  const app = await build(t, { RATE_LIMIT_MAX: '2' })
  for (let i = 0; i < 5; i++) {
    const response = await app.inject({ method: 'GET', url: '/health' })
    t.equal(response.statusCode, 200)
  }
})
