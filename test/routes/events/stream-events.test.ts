import { join } from 'node:path'
import t, { type Test } from 'tap'
import { EventSource } from 'eventsource'
import { administratorToken, bearer, build, createTask, createUser, signIn, temporaryDirectory } from '../../helper.js'
import type { SqliteDatabase } from '../../../src/db/sqlite/sqlite-database.js'
import { ON_POSTGRES, postgresTestUrl } from '../../postgres.js'

type App = Awaited<ReturnType<typeof build>>

interface Received {
  id: string
  type: string
  data: any
}

/** The app listening on a port of this machine, as a browser or curl would reach it. */
async function listening (t: Test, env: Record<string, string> = {}): Promise<{ app: App, url: string }> {
  const app = await build(t, env)
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  return { app, url: address }
}

/**
 * A real EventSource client on `url` (with a bearer token, or Last-Event-ID,
 * sent as headers), gathering every event it is sent; closed when the test ends.
 */
function follow (t: Test, url: string, headers: Record<string, string> = {}) {
  const received: Received[] = []
  const waiting: Array<{ count: number, resolve: () => void }> = []
  const source = new EventSource(url, { fetch: async (input, init) => fetch(input, { ...init, headers: { ...init.headers, ...headers } }) })
  const opened = new Promise<void>((resolve, reject) => {
    source.onopen = () => resolve()
    source.onerror = (error) => reject(error)
  })
  for (const type of ['task.created', 'task.updated', 'task.completed', 'task.deleted', 'task.restored', 'reset']) {
    source.addEventListener(type, (event) => {
      received.push({ id: event.lastEventId, type, data: JSON.parse(event.data) })
      for (const wait of waiting.filter(({ count }) => received.length >= count)) wait.resolve()
    })
  }
  t.teardown(() => source.close())
  return {
    source,
    opened,
    received,
    /** Resolves once `count` events have arrived. */
    receivedCount: async (count: number) => {
      if (received.length < count) await new Promise<void>((resolve) => waiting.push({ count, resolve }))
      return received.slice(0, count)
    }
  }
}

/** A database two apps can share: a file, or the same PostgreSQL schema. */
async function sharedDatabase (t: Test) {
  return { DATABASE_URL: ON_POSTGRES ? await postgresTestUrl(t) : join(temporaryDirectory(t), 'tasks.db') }
}

const pause = async (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

t.test('GET /events streams every change as it commits: id, event type, and the task as the change left it', async (t) => {
  const { app, url } = await listening(t)
  await createTask(app, { title: 'Before the stream' })
  const stream = follow(t, `${url}/events`)
  await stream.opened
  const task = await createTask(app, { title: 'Live' })
  const updated = (await app.inject({ method: 'PATCH', url: `/tasks/${task.id}`, payload: { priority: 5 } })).json()
  const done = (await app.inject({ method: 'POST', url: `/tasks/${task.id}/complete` })).json()
  await app.inject({ method: 'DELETE', url: `/tasks/${task.id}` })
  const restored = (await app.inject({ method: 'POST', url: `/tasks/${task.id}/restore` })).json()
  const events = await stream.receivedCount(6)
  t.same(events.map(({ type }) => type), ['task.created', 'task.updated', 'task.updated', 'task.completed', 'task.deleted', 'task.restored'], 'from now on: nothing from before the stream opened')
  t.same(events.map(({ data }) => data.type), events.map(({ type }) => type))
  t.same([events[0]?.data.data, events[1]?.data.data, events[3]?.data.data, events[5]?.data.data], [task, updated, done, restored])
  const ids = events.map(({ id }) => Number(id))
  t.same(ids, [...ids].sort((a, b) => a - b), 'ids grow')
  t.equal(new Set(ids).size, 6, 'each event has its own id, task.completed too')
})

t.test('Last-Event-ID (or ?after=) resumes just after that event: every event once, in order, across a restart', async (t) => {
  const database = await sharedDatabase(t)
  const first = await listening(t, database)
  const stream = follow(t, `${first.url}/events`)
  await stream.opened
  for (const title of ['one', 'two', 'three']) await createTask(first.app, { title })
  const seen = await stream.receivedCount(3)
  // Changes the client missed: some before the restart (it stopped reading after three), some after.
  await createTask(first.app, { title: 'four' })
  await first.app.close()
  stream.source.close()
  const second = await listening(t, database)
  await createTask(second.app, { title: 'five' })
  const lastId = (seen.at(-1) as Received).id
  const resumed = follow(t, `${second.url}/events`, { 'last-event-id': lastId })
  await resumed.opened
  await createTask(second.app, { title: 'six' })
  t.same((await resumed.receivedCount(3)).map(({ data }) => data.data.title), ['four', 'five', 'six'])
  const byQuery = follow(t, `${second.url}/events?after=${seen[0]?.id ?? ''}`)
  t.same((await byQuery.receivedCount(5)).map(({ data }) => data.data.title), ['two', 'three', 'four', 'five', 'six'])
  await pause(100)
  t.equal(resumed.received.length + byQuery.received.length, 8, 'nothing doubled')
})

t.test('a stream carries only the events of tasks its reader may see, checked again at every read', async (t) => {
  const { app, url } = await listening(t, { AUTH: 'on' })
  const root = await administratorToken(app)
  for (const username of ['ann', 'bob', 'eve']) await createUser(app, username, {}, root)
  const ann = bearer((await signIn(app, 'ann')).access_token)
  const bob = bearer((await signIn(app, 'bob')).access_token)
  const eve = bearer((await signIn(app, 'eve')).access_token)
  await app.inject({ method: 'POST', url: '/projects', headers: ann, payload: { name: 'Apollo', slug: 'apollo' } })
  await app.inject({ method: 'PUT', url: '/projects/apollo/members/bob', headers: ann, payload: { role: 'viewer' } })

  const bobs = follow(t, `${url}/events`, bob)
  const eves = follow(t, `${url}/events`, eve)
  const bobsApollo = follow(t, `${url}/events?project=apollo`, bob)
  await Promise.all([bobs.opened, eves.opened, bobsApollo.opened])
  await app.inject({ method: 'POST', url: '/tasks', headers: ann, payload: { title: 'Ann\'s own' } })
  await app.inject({ method: 'POST', url: '/tasks', headers: ann, payload: { title: 'In apollo', project: 'apollo' } })
  await app.inject({ method: 'POST', url: '/tasks', headers: bob, payload: { title: 'Bob\'s own' } })
  t.same((await bobs.receivedCount(2)).map(({ data }) => data.data.title), ['In apollo', 'Bob\'s own'], 'his project\'s tasks and his own, not ann\'s own')
  t.same((await bobsApollo.receivedCount(1)).map(({ data }) => data.data.title), ['In apollo'], 'only apollo\'s')

  await app.inject({ method: 'DELETE', url: '/projects/apollo/members/bob', headers: ann })
  await app.inject({ method: 'POST', url: '/tasks', headers: ann, payload: { title: 'After bob left', project: 'apollo' } })
  await app.inject({ method: 'POST', url: '/tasks', headers: bob, payload: { title: 'Bob\'s second' } })
  t.same((await bobs.receivedCount(3)).map(({ data }) => data.data.title), ['In apollo', 'Bob\'s own', 'Bob\'s second'], 'removed from apollo, he gets none of its events from then on')
  await pause(100)
  t.equal(bobsApollo.received.length, 1)
  t.equal(eves.received.length, 0, 'an outsider gets nothing')

  const refused = await app.inject({ method: 'GET', url: '/events?project=apollo', headers: eve })
  t.match([refused.statusCode, refused.json().errors], [422, [{ pointer: '#/project' }]], 'a project you cannot see is named')
  t.equal((await app.inject({ method: 'GET', url: '/events' })).statusCode, 401)
})

t.test('a stream of one project follows it through a rename: the rename updates its tasks, and its new tasks come', async (t) => {
  const { app, url } = await listening(t)
  await app.inject({ method: 'POST', url: '/projects', payload: { name: 'Apollo', slug: 'apollo' } })
  await createTask(app, { title: 'Launch', project: 'apollo' })
  const apollo = follow(t, `${url}/events?project=apollo`)
  await apollo.opened
  await app.inject({ method: 'PATCH', url: '/projects/apollo', payload: { slug: 'artemis' } })
  await createTask(app, { title: 'Return', project: 'artemis' })
  await createTask(app, { title: 'Elsewhere' })
  t.same((await apollo.receivedCount(2)).map(({ type, data }) => [type, data.data.title, data.data.project]), [['task.updated', 'Launch', 'artemis'], ['task.created', 'Return', 'artemis']])
  await pause(100)
  t.equal(apollo.received.length, 2, 'and nothing of other projects')
})

t.test('resuming from an event older than EVENT_RETENTION_MS is a reset event: reload, then follow on from its id', async (t) => {
  const { app, url } = await listening(t, { EVENT_RETENTION_MS: '50' })
  const first = follow(t, `${url}/events`)
  await first.opened
  for (const title of ['one', 'two', 'three']) await createTask(app, { title })
  const [one] = await first.receivedCount(3)
  // The purge runs every 50 ms here, and keeps the newest event.
  for (let tries = 0; ; tries++) {
    await pause(60)
    if ((await app.db.events.read({ userId: 1, username: 'local', admin: true }, { after: 0, limit: 10 })).events.length === 1) break
  }
  const stale = follow(t, `${url}/events`, { 'last-event-id': one?.id ?? '' })
  const [reset] = await stale.receivedCount(1)
  t.match(reset, { type: 'reset', data: { type: 'reset', detail: /reload/ } })
  t.equal(reset?.id, first.received[2]?.id, 'its id is the newest event')
  await createTask(app, { title: 'four' })
  t.same((await stale.receivedCount(2)).map(({ type, data }) => [type, data.data?.title]), [['reset', undefined], ['task.created', 'four']])
})

t.test('an idle stream gets heartbeat comments; HEAD answers the headers; closing the server ends open streams', async (t) => {
  const { app, url } = await listening(t, { SSE_HEARTBEAT_MS: '30' })
  const head = await fetch(`${url}/events`, { method: 'HEAD' })
  t.same([head.status, head.headers.get('content-type'), head.headers.get('cache-control')], [200, 'text/event-stream; charset=utf-8', 'no-cache'])
  const response = await fetch(`${url}/events`)
  const reader = (response.body as ReadableStream<Uint8Array>).getReader()
  let text = ''
  while (!text.includes(': heartbeat\n\n')) text += new TextDecoder().decode((await reader.read()).value)
  t.match(text, /^retry: 2000\n\n/)
  const closed = app.close()
  for (;;) {
    const { done } = await reader.read()
    if (done) break
  }
  await closed
  t.pass('the server closed, and the stream with it')
})

t.test('a stream whose database fails is ended (the client reconnects and resumes), never left hanging', async (t) => {
  // SQLite whichever pass this is: its connection is what is made to fail here.
  const { app, url } = await listening(t, { DATABASE_URL: join(temporaryDirectory(t), 'tasks.db'), EVENT_POLL_INTERVAL_MS: '20', JOB_WORKER: 'off' })
  const response = await fetch(`${url}/events`)
  const reader = (response.body as ReadableStream<Uint8Array>).getReader()
  await reader.read()
  ;(app.db as SqliteDatabase).connection.$client.close()
  for (;;) {
    const { done } = await reader.read()
    if (done) break
  }
  t.pass('the stream ended')
})

t.test('the token is checked again at every heartbeat: a disabled user is told why, and the stream ends', async (t) => {
  const { app, url } = await listening(t, { AUTH: 'on', SSE_HEARTBEAT_MS: '100' })
  const root = await administratorToken(app)
  await createUser(app, 'ann', {}, root)
  const ann = (await signIn(app, 'ann')).access_token
  const response = await fetch(`${url}/events`, { headers: bearer(ann) })
  const text = new TextDecoder()
  let received = ''
  const reader = (response.body as ReadableStream<Uint8Array>).getReader()
  received += text.decode((await reader.read()).value)
  await app.inject({ method: 'PATCH', url: '/admin/users/ann', headers: bearer(root), payload: { disabled: true } })
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    received += text.decode(value)
  }
  t.match(received, /event: revoked\ndata: \{"type":"revoked","detail":"The access token is no longer valid[^"]*"\}/, 'told why')
})
