import { join } from 'node:path'
import t from 'tap'
import { build, createTask, freePort, temporaryDirectory } from '../../helper.js'
import { ON_POSTGRES, postgresTestUrl } from '../../postgres.js'
import { WEBHOOKS_PER_PROJECT_MAX } from '../../../src/schemas/webhook.js'
import { signedWith, startReceiver } from '../../webhook-receiver.js'

type App = Awaited<ReturnType<typeof build>>

/** The app with the local user (AUTH=off), sending webhooks to this machine and retrying fast. */
async function appSendingWebhooks (t: Parameters<typeof build>[0], env: Record<string, string> = {}) {
  return build(t, { WEBHOOK_ALLOW_PRIVATE: 'true', JOB_RETRY_BASE_MS: '20', JOB_POLL_INTERVAL_MS: '20', ...env })
}

async function createWebhook (app: App, body: Record<string, unknown>) {
  const response = await app.inject({ method: 'POST', url: '/webhooks', payload: body })
  if (response.statusCode !== 201) throw new Error(`POST /webhooks answered ${response.statusCode}: ${response.body}`)
  return response.json()
}

/** A database two apps can share: a file, or the same PostgreSQL schema. */
async function sharedDatabase (t: Parameters<typeof build>[0]) {
  return { DATABASE_URL: ON_POSTGRES ? await postgresTestUrl(t) : join(temporaryDirectory(t), 'tasks.db') }
}

/** Every job, once none is pending or running. */
async function jobsWhenIdle (app: App) {
  for (;;) {
    const jobs = (await app.inject({ method: 'GET', url: '/admin/jobs?limit=100' })).json().items as any[]
    if (jobs.every(({ state }) => state !== 'pending' && state !== 'running')) return jobs
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/** The webhook's deliveries once none is pending any more, oldest first. */
async function settledDeliveries (app: App, webhookId: number) {
  for (;;) {
    const deliveries = (await app.inject({ method: 'GET', url: `/webhooks/${webhookId}/deliveries?limit=100` })).json().items as any[]
    if (deliveries.every(({ state }) => state !== 'pending')) return deliveries.reverse()
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

t.test('POST /webhooks answers 201 with the secret shown once; GET shows the webhook without it', async (t) => {
  const app = await appSendingWebhooks(t)
  await app.inject({ method: 'POST', url: '/projects', payload: { name: 'Apollo', slug: 'apollo' } })
  const response = await app.inject({ method: 'POST', url: '/webhooks', payload: { url: 'http://127.0.0.1:9/hook', events: ['task.created', 'task.completed'], project: 'apollo' } })
  t.equal(response.statusCode, 201)
  const created = response.json()
  t.match(created, {
    id: Number,
    url: 'http://127.0.0.1:9/hook',
    events: ['task.created', 'task.completed'],
    project: 'apollo',
    previous_secret_expires_at: null,
    created_by: 'local',
    secret: /^whsec_[A-Za-z0-9+/]{43}=$/
  })
  t.equal(response.headers.location, `/webhooks/${created.id}`)
  const { secret: _, ...shown } = created
  const got = await app.inject({ method: 'GET', url: `/webhooks/${created.id}` })
  t.same(got.json(), shown, 'the secret is not shown again')
  t.same((await app.inject({ method: 'GET', url: '/webhooks' })).json(), { items: [shown], total: 1, limit: 20, offset: 0, has_more: false, next_cursor: null })
  t.same((await app.inject({ method: 'GET', url: '/webhooks?project=zeus' })).json().items, [], 'filtered by project')

  const patched = await app.inject({ method: 'PATCH', url: `/webhooks/${created.id}`, payload: { events: ['task.deleted'] } })
  t.same([patched.statusCode, patched.json().events, patched.json().url], [200, ['task.deleted'], 'http://127.0.0.1:9/hook'])
  t.equal((await app.inject({ method: 'DELETE', url: `/webhooks/${created.id}` })).statusCode, 204)
  t.equal((await app.inject({ method: 'GET', url: `/webhooks/${created.id}` })).statusCode, 404)
  t.equal((await app.inject({ method: 'DELETE', url: `/webhooks/${created.id}` })).statusCode, 404)
})

t.test('every event is POSTed signed (Standard Webhooks) with the task as the change left it', async (t) => {
  const receiver = await startReceiver(t)
  const app = await appSendingWebhooks(t)
  const { id, secret } = await createWebhook(app, { url: receiver.url, events: ['task.created', 'task.updated', 'task.deleted', 'task.restored', 'task.completed'] })
  const task = await createTask(app, { title: 'Hooked' })
  const done = (await app.inject({ method: 'POST', url: `/tasks/${task.id}/complete` })).json()
  await app.inject({ method: 'DELETE', url: `/tasks/${task.id}` })
  const restored = (await app.inject({ method: 'POST', url: `/tasks/${task.id}/restore` })).json()
  // Deliveries go out side by side, so they may arrive in any order: put them in the order of the changes.
  const order = ['task.created', 'task.updated', 'task.completed', 'task.deleted', 'task.restored']
  const requests = (await receiver.receivedCount(5)).sort((a, b) => order.indexOf(a.event.type) - order.indexOf(b.event.type))
  t.same(requests.map(({ event }) => event.type), order)
  t.same(requests[0]?.event, { type: 'task.created', timestamp: task.created_at, data: task })
  t.same(requests[2]?.event.data, done, 'task.completed carries the task done')
  t.equal(requests[3]?.event.data.deleted_at !== null, true, 'task.deleted carries the task deleted')
  t.same(requests[4]?.event.data, restored)
  for (const request of requests) {
    t.ok(signedWith(secret, request), `${request.event.type} is signed with the webhook's secret`)
    t.match(request.headers, { 'content-type': 'application/json', 'webhook-id': /^msg_[0-9a-f]{32}$/, 'webhook-timestamp': /^\d{10}$/, 'user-agent': /^task-api-webhooks\// })
    t.ok(Math.abs(Number(request.headers['webhook-timestamp']) - Date.now() / 1000) < 60, 'the timestamp is the time of sending')
    t.notOk(signedWith('whsec_' + Buffer.from('another secret').toString('base64'), request), 'and with no other secret')
  }
  t.equal(new Set(requests.map(({ headers }) => headers['webhook-id'])).size, 5, 'each message has its own id')
  const deliveries = await settledDeliveries(app, id)
  t.match(deliveries, requests.map(({ event, headers }) => ({ event: event.type, message_id: headers['webhook-id'], state: 'delivered', attempts: 1, response_status: 200, last_error: null, duration_ms: Number, payload: event })))
})

t.test('a webhook hears only the events it asked for, of its project\'s tasks (every task without one)', async (t) => {
  const apolloReceiver = await startReceiver(t)
  const everyReceiver = await startReceiver(t)
  const app = await appSendingWebhooks(t)
  for (const slug of ['apollo', 'zeus']) await app.inject({ method: 'POST', url: '/projects', payload: { name: slug, slug } })
  await createWebhook(app, { url: apolloReceiver.url, events: ['task.completed'], project: 'apollo' })
  await createWebhook(app, { url: everyReceiver.url, events: ['task.created'] })
  const inApollo = await createTask(app, { title: 'In apollo', project: 'apollo' })
  const inZeus = await createTask(app, { title: 'In zeus', project: 'zeus' })
  await createTask(app, { title: 'In none' })
  await app.inject({ method: 'PATCH', url: `/tasks/${inZeus.id}`, payload: { status: 'done' } })
  await app.inject({ method: 'PATCH', url: `/tasks/${inApollo.id}`, payload: { status: 'done' } })
  // Moved out of apollo into zeus: apollo's webhooks no longer hear of it (it is no longer theirs to see).
  const moving = await createTask(app, { title: 'Leaving apollo', project: 'apollo' })
  await app.inject({ method: 'PATCH', url: `/tasks/${moving.id}`, payload: { project: 'zeus', status: 'done' } })
  const apollo = await apolloReceiver.receivedCount(1)
  t.same(apollo.map(({ event }) => [event.type, event.data.title, event.data.project]), [['task.completed', 'In apollo', 'apollo']])
  const every = await everyReceiver.receivedCount(4)
  t.same(every.map(({ event }) => event.data.title).sort(), ['In apollo', 'In none', 'In zeus', 'Leaving apollo'])
  await new Promise((resolve) => setTimeout(resolve, 100))
  t.equal(apolloReceiver.received.length + everyReceiver.received.length, 5, 'nothing else was sent')
})

t.test('a receiver answering 500 twice gets the delivery a third time; the attempts are logged', async (t) => {
  const receiver = await startReceiver(t, (n) => n <= 2 ? 500 : 204)
  const app = await appSendingWebhooks(t)
  const { id } = await createWebhook(app, { url: receiver.url, events: ['task.created'] })
  await createTask(app, { title: 'Third time lucky' })
  const requests = await receiver.receivedCount(3)
  t.equal(new Set(requests.map(({ headers }) => headers['webhook-id'])).size, 1, 'the same message each time')
  const [delivery] = await settledDeliveries(app, id)
  t.match(delivery, { state: 'delivered', attempts: 3, response_status: 204, last_error: null })
  await new Promise((resolve) => setTimeout(resolve, 200))
  t.equal(receiver.received.length, 3, 'one success, and nothing after it')
  const jobs = (await app.inject({ method: 'GET', url: '/admin/jobs' })).json().items
  t.match(jobs, [{ kind: 'webhook', state: 'done', attempts: 3, payload: { delivery_id: delivery.id } }])
})

t.test('timeouts and connection errors are retried; after JOB_MAX_ATTEMPTS the delivery has failed, and can be sent again', async (t) => {
  const hanging = await startReceiver(t, (n) => n === 1 ? 'hang' : 200)
  const app = await appSendingWebhooks(t, { WEBHOOK_TIMEOUT_MS: '200', JOB_MAX_ATTEMPTS: '2' })
  const slow = await createWebhook(app, { url: hanging.url, events: ['task.created'] })
  const nobody = await createWebhook(app, { url: `http://127.0.0.1:${await freePort()}/`, events: ['task.created'] })
  await createTask(app, { title: 'Sent twice' })
  t.match(await settledDeliveries(app, slow.id), [{ state: 'delivered', attempts: 2, response_status: 200 }])
  t.equal(hanging.received.length, 2)
  const [failed] = await settledDeliveries(app, nobody.id)
  t.match(failed, { state: 'failed', attempts: 2, response_status: null, last_error: /ECONNREFUSED/ })

  const redelivered = await app.inject({ method: 'POST', url: `/webhooks/${nobody.id}/deliveries/${failed.id}/redeliver` })
  t.equal(redelivered.statusCode, 202)
  t.match(redelivered.json(), { id: Number, message_id: failed.message_id, event: 'task.created', state: 'pending', attempts: 0, payload: failed.payload })
  t.not(redelivered.json().id, failed.id, 'a new delivery')
  t.equal((await app.inject({ method: 'POST', url: `/webhooks/${slow.id}/deliveries/${failed.id}/redeliver` })).statusCode, 404, 'only through its own webhook')
  t.equal((await app.inject({ method: 'POST', url: `/webhooks/${nobody.id}/deliveries/999999/redeliver` })).statusCode, 404)
})

t.test('a redelivery sends the same message again, newly signed', async (t) => {
  const receiver = await startReceiver(t)
  const app = await appSendingWebhooks(t)
  const { id, secret } = await createWebhook(app, { url: receiver.url, events: ['task.created'] })
  await createTask(app, { title: 'Twice' })
  const [first] = await settledDeliveries(app, id)
  await app.inject({ method: 'POST', url: `/webhooks/${id}/deliveries/${first.id}/redeliver` })
  const [one, two] = await receiver.receivedCount(2)
  t.equal(two?.headers['webhook-id'], one?.headers['webhook-id'], 'the same webhook-id, so a receiver can drop it')
  t.equal(two?.body, one?.body)
  t.ok(two !== undefined && signedWith(secret, two))
  t.match(await settledDeliveries(app, id), [{ state: 'delivered' }, { state: 'delivered' }])
})

t.test('a rotated secret signs beside the new one for the overlap, then no more', async (t) => {
  const receiver = await startReceiver(t)
  const app = await appSendingWebhooks(t)
  const { id, secret: first } = await createWebhook(app, { url: receiver.url, events: ['task.created'] })
  const rotated = await app.inject({ method: 'POST', url: `/webhooks/${id}/rotate-secret`, payload: { overlap_seconds: 3600 } })
  t.equal(rotated.statusCode, 200)
  const second = rotated.json().secret
  t.not(second, first)
  t.ok(Math.abs(Date.parse(rotated.json().previous_secret_expires_at) - Date.now() - 3_600_000) < 60_000, 'the old secret signs for an hour more')
  await createTask(app, { title: 'Both' })
  const [both] = await receiver.receivedCount(1)
  t.equal(String(both?.headers['webhook-signature']).split(' ').length, 2)
  t.ok(both !== undefined && signedWith(first, both) && signedWith(second, both), 'signed with the old secret and the new')

  const third = (await app.inject({ method: 'POST', url: `/webhooks/${id}/rotate-secret`, payload: { overlap_seconds: 0 } })).json()
  t.equal(third.previous_secret_expires_at, null)
  await createTask(app, { title: 'New only' })
  const [, only] = await receiver.receivedCount(2)
  t.equal(String(only?.headers['webhook-signature']).split(' ').length, 1)
  t.ok(only !== undefined && signedWith(third.secret, only) && !signedWith(second, only))
  t.equal((await app.inject({ method: 'POST', url: '/webhooks/999999/rotate-secret' })).statusCode, 404)
})

t.test('a deleted webhook sends nothing more: its waiting deliveries are skipped', async (t) => {
  const receiver = await startReceiver(t)
  const database = await sharedDatabase(t)
  const api = await appSendingWebhooks(t, { ...database, JOB_WORKER: 'off' })
  const { id } = await createWebhook(api, { url: receiver.url, events: ['task.created'] })
  await createTask(api, { title: 'Never delivered' })
  t.equal((await api.inject({ method: 'DELETE', url: `/webhooks/${id}` })).statusCode, 204)
  await appSendingWebhooks(t, database)
  t.match(await jobsWhenIdle(api), [{ kind: 'webhook', state: 'skipped', attempts: 1, last_error: 'its webhook was deleted' }])
  t.equal(receiver.received.length, 0)
})

t.test('a delivery in flight when the server stops is given back, not counted, and sent by the next', async (t) => {
  const receiver = await startReceiver(t, (n) => n === 1 ? 'hang' : 200)
  const database = await sharedDatabase(t)
  const first = await appSendingWebhooks(t, { ...database, JOB_SHUTDOWN_GRACE_MS: '50' })
  const { id } = await createWebhook(first, { url: receiver.url, events: ['task.created'] })
  await createTask(first, { title: 'Interrupted' })
  await receiver.receivedCount(1)
  await first.close()
  const second = await appSendingWebhooks(t, database)
  const [delivery] = await settledDeliveries(second, id)
  t.match(delivery, { state: 'delivered', attempts: 1, response_status: 200 }, 'the interrupted attempt was not recorded')
  t.match(await jobsWhenIdle(second), [{ state: 'done', attempts: 1 }])
  t.equal(receiver.received.length, 2)
})

t.test('webhooks and deliveries are listed newest first, a page at a time', async (t) => {
  const receiver = await startReceiver(t)
  const app = await appSendingWebhooks(t)
  const made = [
    await createWebhook(app, { url: receiver.url, events: ['task.created'] }),
    await createWebhook(app, { url: receiver.url, events: ['task.updated'] }),
    await createWebhook(app, { url: receiver.url, events: ['task.deleted'] })
  ]
  const first = await app.inject({ method: 'GET', url: '/webhooks?limit=2' })
  t.same(first.json().items.map(({ id }: { id: number }) => id), [made[2].id, made[1].id])
  t.match(first.headers.link, /^<\/webhooks\?limit=2&offset=2>; rel="next"$/)
  const rest = await app.inject({ method: 'GET', url: `/webhooks?limit=2&cursor=${first.json().next_cursor}` })
  t.same([rest.json().items.map(({ id }: { id: number }) => id), rest.json().has_more], [[made[0].id], false])
  for (const title of ['one', 'two', 'three']) await createTask(app, { title })
  await receiver.receivedCount(3)
  const page = (await app.inject({ method: 'GET', url: `/webhooks/${made[0].id}/deliveries?limit=2` })).json()
  t.same([page.total, page.items.map(({ payload }: { payload: any }) => payload.data.title)], [3, ['three', 'two']])
  const next = (await app.inject({ method: 'GET', url: `/webhooks/${made[0].id}/deliveries?limit=2&cursor=${page.next_cursor}` })).json()
  t.same(next.items.map(({ payload }: { payload: any }) => payload.data.title), ['one'])
  t.equal((await app.inject({ method: 'GET', url: '/webhooks/999999/deliveries' })).statusCode, 404)
})

t.test('deliveries and their jobs are forgotten JOB_RETENTION_MS after they finished', async (t) => {
  const receiver = await startReceiver(t)
  const app = await appSendingWebhooks(t, { JOB_RETENTION_MS: '100' })
  const { id } = await createWebhook(app, { url: receiver.url, events: ['task.created'] })
  await createTask(app, { title: 'Soon forgotten' })
  await receiver.receivedCount(1)
  for (;;) {
    const deliveries = (await app.inject({ method: 'GET', url: `/webhooks/${id}/deliveries` })).json()
    const jobs = (await app.inject({ method: 'GET', url: '/admin/jobs' })).json()
    if (deliveries.total === 0 && jobs.total === 0) break
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  t.pass('both are gone')
})

t.test(`a project has at most ${WEBHOOKS_PER_PROJECT_MAX} webhooks, and so have all tasks: then a 409`, async (t) => {
  const app = await appSendingWebhooks(t)
  await app.inject({ method: 'POST', url: '/projects', payload: { name: 'Apollo', slug: 'apollo' } })
  for (let count = 0; count < WEBHOOKS_PER_PROJECT_MAX; count++) {
    await createWebhook(app, { url: 'http://127.0.0.1:9/', events: ['task.created'], project: 'apollo' })
    await createWebhook(app, { url: 'http://127.0.0.1:9/', events: ['task.created'] })
  }
  for (const project of ['apollo', null]) {
    const refused = await app.inject({ method: 'POST', url: '/webhooks', payload: { url: 'http://127.0.0.1:9/', events: ['task.created'], project } })
    t.match([refused.statusCode, refused.json()], [409, { type: /\/webhook-limit-reached$/, detail: /as there may be \(20\); delete one first/ }])
  }
  t.equal((await app.inject({ method: 'GET', url: '/webhooks' })).json().total, 2 * WEBHOOKS_PER_PROJECT_MAX)
})

t.test('a bad webhook is a 422 naming the field, and creates nothing', async (t) => {
  const app = await appSendingWebhooks(t)
  await app.inject({ method: 'POST', url: '/projects', payload: { name: 'Apollo', slug: 'apollo' } })
  const bad: Array<[Record<string, unknown>, string]> = [
    [{ events: ['task.created'] }, '#/url'],
    [{ url: 'not a url', events: ['task.created'] }, '#/url'],
    [{ url: 'http://example.com:99999/', events: ['task.created'] }, '#/url'],
    [{ url: 'ftp://example.com/', events: ['task.created'] }, '#/url'],
    [{ url: 'https://user:password@example.com/', events: ['task.created'] }, '#/url'],
    [{ url: `https://example.com/${'x'.repeat(2048)}`, events: ['task.created'] }, '#/url'],
    [{ url: 'https://example.com/' }, '#/events'],
    [{ url: 'https://example.com/', events: [] }, '#/events'],
    [{ url: 'https://example.com/', events: ['task.exploded'] }, '#/events/0'],
    [{ url: 'https://example.com/', events: ['task.created', 'task.created'] }, '#/events'],
    [{ url: 'https://example.com/', events: ['task.created'], project: 'no-such-project' }, '#/project'],
    [{ url: 'https://example.com/', events: ['task.created'], project: 'Not A Slug' }, '#/project'],
    [{ url: 'https://example.com/', events: ['task.created'], secret: 'mine' }, '#/secret']
  ]
  for (const [payload, pointer] of bad) {
    const response = await app.inject({ method: 'POST', url: '/webhooks', payload })
    t.equal(response.statusCode, 422, JSON.stringify(payload).slice(0, 100))
    t.match(response.json().errors, [{ pointer }])
  }
  t.equal((await app.inject({ method: 'PATCH', url: '/webhooks/1', payload: { url: 'http://127.0.0.1/' } })).statusCode, 404)
  t.equal((await app.inject({ method: 'POST', url: '/webhooks/1/rotate-secret', payload: { overlap_seconds: -1 } })).statusCode, 422)
  t.equal((await app.inject({ method: 'GET', url: '/webhooks' })).json().total, 0)
})

t.test('without WEBHOOK_ALLOW_PRIVATE, URLs of loopback, private, link-local and metadata addresses are refused', async (t) => {
  const app = await build(t)
  const refused = [
    'http://127.0.0.1:8080/hook',
    'http://localhost/hook',
    'http://169.254.169.254/latest/meta-data/',
    'http://10.0.0.7/',
    'http://192.168.1.1/',
    'http://172.16.0.1/',
    'http://100.100.100.200/',
    'http://[::1]/',
    'http://[fd00:ec2::254]/',
    'http://[::ffff:127.0.0.1]/',
    'http://0.0.0.0/',
    'http://2130706433/',
    'http://0x7f.1/',
    'http://no-such-host.invalid/'
  ]
  for (const url of refused) {
    const response = await app.inject({ method: 'POST', url: '/webhooks', payload: { url, events: ['task.created'] } })
    t.equal(response.statusCode, 422, url)
    t.match(response.json().errors, [{ pointer: '#/url', detail: /^is refused: / }], url)
  }
  const created = await app.inject({ method: 'POST', url: '/webhooks', payload: { url: 'http://93.184.215.14/hook', events: ['task.created'] } })
  t.equal(created.statusCode, 201, 'a public address is taken')
  const moved = await app.inject({ method: 'PATCH', url: `/webhooks/${created.json().id}`, payload: { url: 'http://127.0.0.1/' } })
  t.match([moved.statusCode, moved.json().errors], [422, [{ pointer: '#/url' }]], 'nor can a webhook be moved to one')
})

t.test('a host that resolves to a private address by the time of delivery is refused then, for good', async (t) => {
  // The webhook was made while private addresses were allowed; the worker
  // that sends it allows none: as when a name is pointed elsewhere after it was checked.
  const receiver = await startReceiver(t)
  const database = await sharedDatabase(t)
  const api = await build(t, { ...database, WEBHOOK_ALLOW_PRIVATE: 'true', JOB_WORKER: 'off' })
  const { id } = await createWebhook(api, { url: receiver.url.replace('127.0.0.1', 'localhost'), events: ['task.created'] })
  await createTask(api, { title: 'Rebound' })
  await build(t, { ...database, JOB_POLL_INTERVAL_MS: '20' })
  const [delivery] = await settledDeliveries(api, id)
  t.match(delivery, { state: 'failed', attempts: 1, response_status: null, last_error: /^localhost resolves to (127\.0\.0\.1|::1), which is not a public address/ })
  t.equal(receiver.received.length, 0, 'nothing reached the receiver')
  t.match(await jobsWhenIdle(api), [{ state: 'dead', attempts: 1 }], 'the job is dead at once: retrying cannot help')
})
