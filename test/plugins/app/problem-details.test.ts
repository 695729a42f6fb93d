import t from 'tap'
import { build, createTask } from '../../helper.js'

const PROBLEM_JSON = 'application/problem+json; charset=utf-8'

t.test('each kind of error is a problem with its own type, the status, and the request path', async (t) => {
  const app = await build(t)
  const task = await createTask(app, { title: 'Existing' })
  const json = { 'content-type': 'application/json' }
  const cases = [
    { name: 'malformed JSON', request: { method: 'POST', url: '/tasks?x=1', headers: json, payload: '{"title"' }, status: 400, type: 'malformed-json', title: 'Malformed JSON' },
    { name: 'empty JSON body', request: { method: 'POST', url: '/tasks', headers: json, payload: '' }, status: 400, type: 'bad-request', title: 'Bad request' },
    { name: 'unknown task', request: { method: 'GET', url: '/tasks/999' }, status: 404, type: 'not-found', title: 'Resource not found' },
    { name: 'unknown route', request: { method: 'GET', url: '/reports?page=2' }, status: 404, type: 'route-not-found', title: 'Route not found' },
    { name: 'wrong method', request: { method: 'POST', url: `/tasks/${task.id}` }, status: 405, type: 'method-not-allowed', title: 'Method not allowed' },
    { name: 'body over 1 MiB', request: { method: 'POST', url: '/tasks', headers: json, payload: JSON.stringify({ title: 'x', description: 'y'.repeat(1024 * 1024) }) }, status: 413, type: 'payload-too-large', title: 'Payload too large' },
    { name: 'not JSON', request: { method: 'POST', url: '/tasks', headers: { 'content-type': 'application/xml' }, payload: '<task/>' }, status: 415, type: 'unsupported-media-type', title: 'Unsupported media type' },
    { name: 'invalid field', request: { method: 'POST', url: '/tasks', payload: { title: '' } }, status: 422, type: 'validation', title: 'Validation failed' }
  ] as const
  for (const { name, request, status, type, title } of cases) {
    const response = await app.inject(request)
    t.equal(response.statusCode, status, name)
    t.equal(response.headers['content-type'], PROBLEM_JSON, name)
    const problem = response.json()
    t.match(problem, {
      type: `https://example.com/errors/${type}`,
      title,
      status,
      detail: String,
      instance: request.url.split('?')[0]
    }, name)
    t.ok(problem.detail.length > 0, name)
  }
})

t.test('405 lists the allowed methods in an Allow header', async (t) => {
  const app = await build(t)
  const cases: Array<[string, string, string]> = [
    ['POST', '/tasks/1', 'DELETE, GET, HEAD, PATCH, PUT'],
    ['DELETE', '/tasks', 'GET, HEAD, POST'],
    ['PATCH', '/tasks/', 'GET, HEAD, POST'],
    ['GET', '/tasks/1/restore', 'POST'],
    ['POST', '/health', 'GET, HEAD']
  ]
  for (const [method, url, allow] of cases) {
    const response = await app.inject({ method: method as 'GET', url })
    t.equal(response.statusCode, 405, `${method} ${url}`)
    t.equal(response.headers.allow, allow, `${method} ${url}`)
    t.match(response.json().detail, method)
  }
})

t.test('a malformed URL is a 400 problem, not a bare error', async (t) => {
  const app = await build(t)
  const response = await app.inject({ method: 'GET', url: '/tasks/%zz' })
  t.equal(response.statusCode, 400)
  t.equal(response.headers['content-type'], PROBLEM_JSON)
  t.match(response.json(), { type: 'https://example.com/errors/bad-request', status: 400, instance: '/tasks/%zz' })
})

t.test('PROBLEM_TYPE_BASE sets the base of every type URI', async (t) => {
  const app = await build(t, { PROBLEM_TYPE_BASE: 'https://api.example.org/problems/' })
  const response = await app.inject({ method: 'GET', url: '/tasks/1' })
  t.equal(response.json().type, 'https://api.example.org/problems/not-found')
})

t.test('an unexpected failure is a 500 problem that shows no internals', async (t) => {
  const app = await build(t)
  await createTask(app, { title: 'Lost in the crash' })
  await app.db.close()
  for (const request of [{ method: 'GET', url: '/tasks' }, { method: 'POST', url: '/tasks', payload: { title: 'x' } }] as const) {
    const response = await app.inject(request)
    t.equal(response.statusCode, 500)
    t.equal(response.headers['content-type'], PROBLEM_JSON)
    const problem = response.json()
    t.same(Object.keys(problem).sort(), ['detail', 'instance', 'status', 'title', 'type'])
    t.match(problem, { type: 'https://example.com/errors/internal-error', title: 'Internal server error', status: 500, instance: '/tasks' })
    t.notMatch(response.body, /database|sqlite|select|insert|stack|at .*\.ts|Error:/i)
  }
})

t.test('a client error Fastify raises with no type of its own is an about:blank problem', async (t) => {
  const app = await build(t)
  // A byte range the UI's static files cannot satisfy.
  const response = await app.inject({ method: 'GET', url: '/docs/static/swagger-ui.css', headers: { range: 'bytes=999999999-' } })
  t.equal(response.statusCode, 416)
  t.equal(response.headers['content-type'], PROBLEM_JSON)
  t.match(response.json(), { type: 'about:blank', title: 'Range Not Satisfiable', status: 416, instance: '/docs/static/swagger-ui.css' })
})

t.test('at most 20 field errors are listed, and the detail says how many more there are', async (t) => {
  const app = await build(t)
  const payload: Record<string, unknown> = { title: 'ok' }
  for (let i = 0; i < 30; i++) payload[`extra${i}`] = i
  const response = await app.inject({ method: 'POST', url: '/tasks', payload })
  t.equal(response.statusCode, 422)
  t.equal(response.json().errors.length, 20)
  t.match(response.json().detail, /\(and 10 more\)$/)
})

t.test('pointers escape field names as JSON Pointer and URI fragment require', async (t) => {
  const app = await build(t)
  const response = await app.inject({ method: 'POST', url: '/tasks', payload: { title: 'ok', 'a/b~c d': 1 } })
  t.same(response.json().errors, [{ detail: 'is not a known field', pointer: '#/a~1b~0c%20d' }])
})
