import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { EventSource } from 'eventsource'
import t, { type Test } from 'tap'
import { startServer, temporaryDirectory } from './helper.js'
import { postgresTestUrl } from './postgres.js'

// Two real server processes on one PostgreSQL database act as one service:
// whichever instance a request reaches, it sees every other's writes at
// once, and the guarantees of a single instance (Idempotency-Key, If-Match)
// hold across them; a live feed on one hears of the other's changes at
// once. (The shared rate limit is test/plugins/external's.)

async function twoInstances (t: Test, env: Record<string, string> = {}) {
  const url = await postgresTestUrl(t)
  // Started together: both migrate the new schema on start, one after the other.
  const instances = await Promise.all([startServer(t, { DATABASE_URL: url, ...env }), startServer(t, { DATABASE_URL: url, ...env })])
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

t.test('a live feed on one instance gets a change made on the other at once, not at its next poll', async (t) => {
  const [a, b] = await twoInstances(t, { EVENT_POLL_INTERVAL_MS: '600000' })
  const source = new EventSource(`${b}/events`)
  t.teardown(() => source.close())
  const created = new Promise<MessageEvent>((resolve) => source.addEventListener('task.created', resolve))
  await new Promise((resolve, reject) => {
    source.onopen = resolve
    source.onerror = reject
  })
  // By now B's feed has read the log once, and waits.
  await sleep(200)
  const started = performance.now()
  const task = await call(a, 'POST', '/tasks', { title: 'Made on A, followed on B' })
  const event = await Promise.race([created, sleep(5000).then(() => undefined)])
  t.ok(event !== undefined, `B's feed got it ${(performance.now() - started).toFixed(0)} ms after the POST to A was sent, with polls 10 minutes apart`)
  t.match(JSON.parse(event?.data ?? 'null'), { type: 'task.created', data: { id: task.body.id, title: 'Made on A, followed on B' } })
})

t.test('instances sharing UPLOADS_DIR serve each other\'s files, store one content once, and remove it once nobody has it', async (t) => {
  const uploads = temporaryDirectory(t)
  const [a, b] = await twoInstances(t, { UPLOADS_DIR: uploads, UPLOAD_GRACE_MS: '0' })
  const task = (await call(a, 'POST', '/tasks', { title: 'Shared files' })).body
  const upload = async (base: string, content: string) => {
    const form = new FormData()
    form.append('file', new Blob([content]), 'shared.txt')
    const response = await fetch(new URL(`/tasks/${task.id as number}/attachments`, base), { method: 'POST', body: form })
    return (await response.json() as { items: { id: number, url: string, sha256: string }[] }).items[0] as { id: number, url: string, sha256: string }
  }
  const onA = await upload(a, 'One content, two instances.')
  t.equal(await (await fetch(new URL(onA.url, b))).text(), 'One content, two instances.', 'B serves what A stored')
  const onB = await upload(b, 'One content, two instances.')
  t.equal(onB.sha256, onA.sha256)
  const blobs = () => readdirSync(join(uploads, 'blobs'), { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).length
  t.equal(blobs(), 1, 'stored once')
  t.equal((await fetch(new URL(`/attachments/${onA.id}`, b), { method: 'DELETE' })).status, 204)
  t.equal(blobs(), 1, 'kept while the other attachment has it')
  t.equal((await fetch(new URL(`/attachments/${onB.id}`, a), { method: 'DELETE' })).status, 204)
  t.equal(blobs(), 0, 'and removed with the last one, whichever instance removes it')
})

t.test('a web page session begun on one instance is good on the other, forms and all', async (t) => {
  const [a, b] = await twoInstances(t, { AUTH: 'on', REGISTRATION: 'open' })
  let cookie = ''
  const page = async (base: string, path: string, form?: Record<string, string>) => {
    const response = await fetch(new URL(path, base), {
      method: form === undefined ? 'GET' : 'POST',
      headers: { cookie, ...(form === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }) },
      body: form === undefined ? null : new URLSearchParams(form).toString(),
      redirect: 'manual'
    })
    cookie = response.headers.getSetCookie().at(-1)?.split(';')[0] ?? cookie
    const body = await response.text()
    return { status: response.status, location: response.headers.get('location'), body, csrf: /name="_csrf" value="([^"]+)"/.exec(body)?.[1] ?? '' }
  }

  const signUp = await page(a, '/web/sign-up')
  const signedUp = await page(a, '/web/sign-up', { _csrf: signUp.csrf, display_name: 'Ada Lovelace', username: 'ada', email: 'ada@example.com', password: 'analytical engine' })
  t.equal(signedUp.status, 303, 'signed up on A')
  const onB = await page(b, '/web/tasks/new')
  t.equal(onB.status, 200, 'B reads the session A began')
  t.match(onB.body, 'Signed in as <strong>ada</strong>')
  const created = await page(b, '/web/tasks', { _csrf: onB.csrf, title: 'Made on B', status: 'pending', priority: '2' })
  t.equal(created.status, 303, 'and takes a form with the token it made')
  const listOnA = await page(a, '/web/tasks')
  t.match(listOnA.body, 'Task “Made on B” created.', 'A shows the flash B left in the session')
  t.match(listOnA.body, '>Made on B</a>')
})
