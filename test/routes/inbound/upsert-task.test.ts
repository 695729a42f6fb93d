import t from 'tap'
import { createHmac } from 'node:crypto'
import { build, createTask, startServer } from '../../helper.js'

const SECRET = 'inbound secret for the tests, 44 characters'
type App = Awaited<ReturnType<typeof build>>

/** The body signed as the README says, with the test's own HMAC code. */
function signed (body: string, secret = SECRET) {
  return { 'content-type': 'application/json', 'x-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}` }
}

let deliveries = 0
function delivery (fields: Record<string, unknown>, sentAt = new Date()) {
  return JSON.stringify({ delivery_id: `delivery-${++deliveries}`, sent_at: sentAt.toISOString(), ...fields })
}

async function post (app: App, body: string, headers: Record<string, string>) {
  return app.inject({ method: 'POST', url: '/inbound/tasks', headers, payload: body })
}

t.test('a request signed with X-Signature-256 creates a task, as the built-in administrator; another changes it', async (t) => {
  const app = await build(t, { INBOUND_WEBHOOK_SECRET: SECRET })
  const location = { name: 'Rack 12', latitude: 50.1109, longitude: 8.6821 }
  const body = delivery({ task: { title: '  Deploy failed on main  ', priority: 1, notify_email: 'oncall@example.com', due_at: '2031-01-01T09:00:00+01:00', location } })
  const created = await post(app, body, signed(body))
  t.equal(created.statusCode, 201)
  t.match(created.json(), { title: 'Deploy failed on main', priority: 1, notify_email: 'oncall@example.com', due_at: '2031-01-01T08:00:00.000Z', location, created_by: 'local', version: 1 })
  t.equal(created.headers.location, `/tasks/${created.json().id}`)
  const change = delivery({ task_id: created.json().id, task: { status: 'done' } })
  const changed = await post(app, change, signed(change))
  t.equal(changed.statusCode, 200)
  t.match(changed.json(), { id: created.json().id, status: 'done', version: 2 })
  t.equal((await app.inject({ method: 'GET', url: `/tasks/${created.json().id}` })).json().status, 'done')
})

t.test('Standard Webhooks headers are accepted too', async (t) => {
  const app = await build(t, { INBOUND_WEBHOOK_SECRET: SECRET })
  const body = delivery({ task: { title: 'From a Standard Webhooks sender' } })
  const timestamp = Math.floor(Date.now() / 1000)
  const signature = createHmac('sha256', SECRET).update(`msg_1.${timestamp}.${body}`).digest('base64')
  const response = await post(app, body, { 'content-type': 'application/json', 'webhook-id': 'msg_1', 'webhook-timestamp': String(timestamp), 'webhook-signature': `v1,${signature}` })
  t.equal(response.statusCode, 201)
  const stale = await post(app, body, { 'content-type': 'application/json', 'webhook-id': 'msg_1', 'webhook-timestamp': String(timestamp - 600), 'webhook-signature': `v1,${createHmac('sha256', SECRET).update(`msg_1.${timestamp - 600}.${body}`).digest('base64')}` })
  t.same([stale.statusCode, stale.json().type], [401, 'https://example.com/errors/invalid-signature'], 'a timestamp 10 minutes old is a replay')
})

t.test('a missing or wrong signature, or a body changed after signing, is a 401 problem and nothing is written', async (t) => {
  const app = await build(t, { INBOUND_WEBHOOK_SECRET: SECRET })
  const body = delivery({ task: { title: 'Forged' } })
  const attempts = {
    unsigned: await post(app, body, { 'content-type': 'application/json' }),
    'another secret': await post(app, body, signed(body, 'someone else\'s secret, as long')),
    'a changed body': await post(app, body.replace('Forged', 'Forgef'), signed(body)),
    'a truncated signature': await post(app, body, { ...signed(body), 'x-signature-256': signed(body)['x-signature-256'].slice(0, -1) }),
    'not even hex': await post(app, body, { ...signed(body), 'x-signature-256': 'sha256=zz' })
  }
  for (const [what, response] of Object.entries(attempts)) {
    t.same([response.statusCode, response.json().type], [401, 'https://example.com/errors/invalid-signature'], what)
    t.notMatch(response.body, 'Forge', `${what}: nothing of the payload is answered`)
  }
  t.equal((await app.inject({ method: 'GET', url: '/tasks' })).json().total, 0)
})

t.test('a signed body sent more than 5 minutes ago is a replay: 401', async (t) => {
  const app = await build(t, { INBOUND_WEBHOOK_SECRET: SECRET })
  const old = delivery({ task: { title: 'Old' } }, new Date(Date.now() - 6 * 60_000))
  const response = await post(app, old, signed(old))
  t.same([response.statusCode, response.json().type], [401, 'https://example.com/errors/invalid-signature'])
  t.match(response.json().detail, '`sent_at` is more than 5 minutes from now')
  t.equal((await app.inject({ method: 'GET', url: '/tasks' })).json().total, 0)
})

t.test('the same delivery twice is processed once: the first answer is sent again', async (t) => {
  const app = await build(t, { INBOUND_WEBHOOK_SECRET: SECRET })
  const body = delivery({ task: { title: 'Once' } })
  const first = await post(app, body, signed(body))
  const again = await post(app, body, signed(body))
  t.same([again.statusCode, again.json(), again.headers['idempotent-replayed']], [201, first.json(), 'true'])
  t.equal((await app.inject({ method: 'GET', url: '/tasks' })).json().total, 1)
  const reused = JSON.stringify({ ...JSON.parse(body), task: { title: 'Other' } })
  const refused = await post(app, reused, signed(reused))
  t.same([refused.statusCode, refused.json().type], [422, 'https://example.com/errors/idempotency-key-reused'], 'a delivery id used for another body')
})

t.test('a signed body that is not JSON, or not a valid delivery, is a 4xx problem naming what is wrong', async (t) => {
  const app = await build(t, { INBOUND_WEBHOOK_SECRET: SECRET })
  await createTask(app, { title: 'Already here' })
  const cases: Array<[string, number, unknown]> = [
    ['{"delivery_id": "x",', 400, undefined],
    [delivery({ task: {} }), 422, '#/task/title'],
    [delivery({ task: { title: '   ' } }), 422, '#/task/title'],
    [delivery({ task: { title: 'x', status: 'finished' } }), 422, '#/task/status'],
    [delivery({ task: { title: 'x', project: 'no-such-project' } }), 422, '#/task/project'],
    [delivery({ task_id: 4242, task: { status: 'done' } }), 404, undefined],
    [delivery({ task_id: 1, task: { title: '   ' } }), 422, '#/task/title'],
    [JSON.stringify({ task: { title: 'x' } }), 422, '#/delivery_id'],
    [delivery({ task: { title: 'x' }, extra: 1 }), 422, '#/extra'],
    // A due time the format lets through but the API could not show back: past the year 9999 in UTC, or an offset without minutes.
    [delivery({ task: { title: 'x', due_at: '9999-12-31T23:00:00-05:00' } }), 422, '#/task/due_at'],
    [delivery({ task: { title: 'x', due_at: '2030-01-01T00:00:00+02' } }), 422, '#/task/due_at'],
    [delivery({ task_id: 1, task: { due_at: '9999-12-31T23:00:00-05:00' } }), 422, '#/task/due_at'],
    [delivery({ task: { title: 'x', location: { latitude: 90.5, longitude: 0 } } }), 422, '#/task/location/latitude']
  ]
  for (const [body, status, pointer] of cases) {
    const response = await post(app, body, signed(body))
    t.equal(response.statusCode, status, body)
    if (pointer !== undefined) t.ok(response.json().errors.some((error: { pointer: string }) => error.pointer === pointer), `${body}: ${pointer}`)
  }
  t.same((await app.inject({ method: 'GET', url: '/tasks?include_deleted=true' })).json().items.map((task: { title: string }) => task.title), ['Already here'], 'nothing was written')
  t.equal((await app.inject({ method: 'GET', url: '/tasks/1' })).json().due_at, null)
  const form = await app.inject({ method: 'POST', url: '/inbound/tasks', headers: { 'content-type': 'text/plain' }, payload: 'x' })
  t.equal(form.statusCode, 415)
})

t.test('without INBOUND_WEBHOOK_SECRET the route is not there: 404', async (t) => {
  const app = await build(t)
  const body = delivery({ task: { title: 'Nobody listens' } })
  const response = await post(app, body, signed(body))
  t.same([response.statusCode, response.json().type], [404, 'https://example.com/errors/route-not-found'])
})

t.test('the real server logs nothing of a refused payload, nor the secret, even at trace', async (t) => {
  const server = await startServer(t, { DATABASE_URL: ':memory:', INBOUND_WEBHOOK_SECRET: SECRET, LOG_LEVEL: 'trace' })
  const body = delivery({ task: { title: 'Secret plans of the payload' } })
  const send = async (headers: Record<string, string>) => (await fetch(new URL('/inbound/tasks', server.url), { method: 'POST', headers, body })).status
  t.equal(await send(signed(body, 'a wrong secret that is long enough')), 401)
  t.equal(await send({ 'content-type': 'application/json' }), 401)
  t.equal(await send(signed(body)), 201, 'the signed one goes through')
  await server.stop()
  t.match(server.output(), '"statusCode":401', 'the refusals were logged')
  t.notMatch(server.output(), 'Secret plans', 'without their payload')
  t.notMatch(server.output(), SECRET.slice(0, 20), 'and the secret never')
})
