import t from 'tap'
import { build, createTask } from '../../helper.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
const PROCESS_TIME = /^\d+\.\d{2}ms$/

t.test('every kind of response carries X-Request-ID and X-Process-Time', async (t) => {
  const app = await build(t, { RATE_LIMIT_MAX: '12' })
  const task = await createTask(app, { title: 'Headers' })
  const requests = [
    { name: 'created', method: 'POST', url: '/tasks', payload: { title: 'x' }, status: 201 },
    { name: 'list', method: 'GET', url: '/tasks', status: 200 },
    { name: 'no content', method: 'DELETE', url: `/tasks/${task.id}`, status: 204 },
    { name: 'task not found', method: 'GET', url: `/tasks/${task.id}`, status: 404 },
    { name: 'route not found', method: 'GET', url: '/nowhere', status: 404 },
    { name: 'method not allowed', method: 'PUT', url: '/tasks', status: 405 },
    { name: 'validation', method: 'GET', url: '/tasks?limit=0', status: 422 },
    { name: 'malformed URL', method: 'GET', url: '/tasks/%zz', status: 400 },
    { name: 'docs', method: 'GET', url: '/docs/', status: 200 },
    { name: 'openapi', method: 'GET', url: '/openapi.json', status: 200 },
    { name: 'health', method: 'GET', url: '/health', status: 200 }
  ] as const
  for (const { name, status, ...request } of requests) {
    const response = await app.inject(request)
    t.equal(response.statusCode, status, name)
    t.match(response.headers['x-request-id'], UUID, name)
    t.match(response.headers['x-process-time'], PROCESS_TIME, name)
  }
  let limited
  do {
    limited = await app.inject({ method: 'GET', url: '/tasks' })
  } while (limited.statusCode !== 429)
  t.match(limited.headers['x-request-id'], UUID, 'rate limited')
  t.match(limited.headers['x-process-time'], PROCESS_TIME, 'rate limited')
})

t.test('a well-formed client X-Request-ID is echoed, on errors too', async (t) => {
  const app = await build(t)
  const id = 'Client-42.retry:1_a'
  for (const url of ['/tasks', '/tasks/999', '/tasks/%zz']) {
    const response = await app.inject({ method: 'GET', url, headers: { 'x-request-id': id } })
    t.equal(response.headers['x-request-id'], id, url)
  }
  const longest = 'a'.repeat(128)
  t.equal((await app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': longest } })).headers['x-request-id'], longest)
})

t.test('an unsafe or oversized client X-Request-ID is replaced by a new UUID', async (t) => {
  const app = await build(t)
  for (const id of ['', 'a'.repeat(129), 'has space', '<script>', 'semi;colon', 'quote"d', 'ünïcode']) {
    const response = await app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': id } })
    t.match(response.headers['x-request-id'], UUID, JSON.stringify(id.slice(0, 20)))
  }
  const first = await app.inject({ method: 'GET', url: '/health' })
  const second = await app.inject({ method: 'GET', url: '/health' })
  t.not(first.headers['x-request-id'], second.headers['x-request-id'], 'each request gets its own id')
})
