import t, { type Test } from 'tap'
import { startServer } from './helper.js'
import { postgresTestUrl } from './postgres.js'

// Two real server processes on one PostgreSQL database act as one service:
// whichever instance a request reaches, it sees every other's writes at
// once, and the guarantees of a single instance (Idempotency-Key, If-Match)
// hold across them. (The shared rate limit is test/plugins/external's.)

async function twoInstances (t: Test) {
  const url = await postgresTestUrl(t)
  // Started together: both migrate the new schema on start, one after the other.
  const instances = await Promise.all([startServer(t, { DATABASE_URL: url }), startServer(t, { DATABASE_URL: url })])
  t.teardown(() => Promise.all(instances.map((instance) => instance.stop())))
  return instances.map((instance) => instance.url) as [string, string]
}

async function call (base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(new URL(path, base), {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? null : JSON.stringify(body)
  })
  return { status: response.status, headers: response.headers, body: await response.json() as Record<string, unknown> }
}

t.test('a task written on one instance is read, listed and searched on the other at once', async (t) => {
  const [a, b] = await twoInstances(t)
  for (let index = 0; index < 20; index++) {
    const title = `Written on A, number ${index} zq${index}x`
    const created = await call(a, 'POST', '/tasks', { title })
    t.equal(created.status, 201)
    const id = created.body.id as number
    t.match((await call(b, 'GET', `/tasks/${id}`)).body, { id, title, version: 1 }, `B reads task ${id}`)
    const listed = await call(b, 'GET', '/tasks?limit=1')
    t.match(listed.body, { items: [{ id }], total: index + 1 }, 'B lists it first, in the total')
    const found = await call(b, 'GET', `/tasks?q=${encodeURIComponent(`zq${index}x`)}`)
    t.match(found.body, { items: [{ id }], total: 1 }, 'B finds it by search')
    const changed = await call(b, 'PATCH', `/tasks/${id}`, { status: 'done' })
    t.match(changed.body, { status: 'done', version: 2 })
    t.match((await call(a, 'GET', `/tasks/${id}`)).body, { status: 'done', version: 2 }, 'A reads B\'s change')
  }
})

t.test('the same Idempotency-Key sent to both instances at once creates one task', async (t) => {
  const [a, b] = await twoInstances(t)
  let conflicts = 0
  let replays = 0
  for (let attempt = 0; attempt < 25; attempt++) {
    const key = `both-at-once-${attempt}`
    const body = { title: `Idempotent ${attempt}` }
    const answers = await Promise.all([a, b].map((base) => call(base, 'POST', '/tasks', body, { 'idempotency-key': key })))
    const created = answers.filter((answer) => answer.status === 201 && answer.headers.get('idempotent-replayed') === null)
    t.equal(created.length, 1, `attempt ${attempt}: exactly one instance created the task`)
    const other = answers.find((answer) => answer !== created[0])
    if (other?.status === 409) {
      conflicts++
      t.match(other.body, { status: 409, type: /idempotency-key-in-use$/ })
    } else {
      replays++
      t.match(other, { status: 201, body: { id: created[0]?.body.id } }, `attempt ${attempt}: the other answer is the first one, replayed`)
      t.equal(other?.headers.get('idempotent-replayed'), 'true')
    }
    const later = await call(attempt % 2 === 0 ? a : b, 'POST', '/tasks', body, { 'idempotency-key': key })
    t.match(later, { status: 201, body: { id: created[0]?.body.id } }, 'a later repeat on either is replayed')
  }
  const listed = await call(a, 'GET', '/tasks?limit=1')
  t.equal(listed.body.total, 25, 'one task per key')
  t.pass(`${conflicts} repeats arrived while the first was being written (409), ${replays} after it (replayed)`)
})

t.test('two If-Match writes of one version on different instances: exactly one wins', async (t) => {
  const [a, b] = await twoInstances(t)
  for (let attempt = 0; attempt < 25; attempt++) {
    const created = await call(a, 'POST', '/tasks', { title: `Contested ${attempt}` })
    const etag = created.headers.get('etag') as string
    const id = created.body.id as number
    const answers = await Promise.all([a, b].map((base, index) =>
      call(base, 'PATCH', `/tasks/${id}`, { title: `Won by ${index === 0 ? 'A' : 'B'}` }, { 'if-match': etag })))
    const statuses = answers.map((answer) => answer.status).sort()
    t.same(statuses, [200, 412], `attempt ${attempt}: one 200, one 412`)
    const winner = answers.find((answer) => answer.status === 200)
    t.match((await call(b, 'GET', `/tasks/${id}`)).body, { title: winner?.body.title, version: 2 }, 'the winner\'s change alone is stored')
  }
})
