import t, { type Test } from 'tap'
import pg from 'pg'
import type { PostgresDatabase } from '../../src/db/postgres/postgres-database.js'
import { build } from '../helper.js'
import { postgresTestUrl } from '../postgres.js'
import { tcpRelay } from '../tcp-relay.js'

// PostgreSQL going away, and coming back, as the API's clients see it: every
// request is a 503 storage-unavailable problem with Retry-After (never a 500,
// never a hang), /health says so, nothing is half-written, and the API
// recovers by itself once the server answers again. The server "goes away"
// behind a TCP relay, so the PostgreSQL the other tests share stays up.

const PROBLEM_JSON = 'application/problem+json; charset=utf-8'

type App = Awaited<ReturnType<typeof build>>
type Answer = Awaited<ReturnType<App['inject']>>

function assertUnavailable (t: Test, response: Answer, detail: RegExp, label: string) {
  t.equal(response.statusCode, 503, label)
  t.equal(response.headers['content-type'], PROBLEM_JSON, label)
  t.equal(response.headers['retry-after'], '5', `${label}: Retry-After`)
  const problem = response.json()
  t.match(problem, { type: 'https://example.com/errors/storage-unavailable', title: 'Storage unavailable', status: 503, detail }, label)
  t.notMatch(JSON.stringify(problem), /ECONN|postgres|Connection terminated|stack|\.ts:/, `${label}: no internals`)
}

const post = (app: App, title: string, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/tasks', payload: { title }, headers })

t.test('PostgreSQL unreachable: 503 problems with Retry-After, /health 503, then recovery by itself', async (t) => {
  const relay = await tcpRelay(t, await postgresTestUrl(t))
  const app = await build(t, { DATABASE_URL: relay.url, DATABASE_POOL_SIZE: '3' })
  const first = await post(app, 'Before the outage')
  t.equal(first.statusCode, 201)
  const id = first.json().id as number

  await relay.stop()
  const during = await Promise.all([
    post(app, 'During the outage'),
    post(app, 'During the outage, with a key', { 'idempotency-key': 'outage-1' }),
    app.inject({ method: 'PATCH', url: `/tasks/${id}`, payload: { status: 'done' } }),
    app.inject({ method: 'GET', url: `/tasks/${id}` }),
    app.inject({ method: 'GET', url: '/tasks' })
  ])
  for (const [index, response] of during.entries()) assertUnavailable(t, response, /cannot be reached/, `request ${index} during the outage`)
  assertUnavailable(t, await app.inject({ method: 'GET', url: '/health' }), /cannot be reached/, '/health')

  await relay.start()
  t.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200, '/health is ok once the server answers')
  const retried = await post(app, 'During the outage, with a key', { 'idempotency-key': 'outage-1' })
  t.equal(retried.statusCode, 201, 'the refused write, retried with its key, is made now')
  t.equal(retried.headers['idempotent-replayed'], undefined, 'made, not replayed: nothing was stored during the outage')
  const listed = (await app.inject({ method: 'GET', url: '/tasks?sort_order=asc' })).json()
  t.same(listed.items.map((task: { title: string }) => task.title), ['Before the outage', 'During the outage, with a key'], 'nothing refused was written')
  t.match((await app.inject({ method: 'GET', url: `/tasks/${id}` })).json(), { status: 'pending', version: 1 }, 'the refused PATCH changed nothing')
})

t.test('connections cut by a PostgreSQL restart are replaced: the next requests just work', async (t) => {
  const url = await postgresTestUrl(t)
  const app = await build(t, { DATABASE_URL: url, DATABASE_POOL_SIZE: '2' })
  t.equal((await post(app, 'Before the restart')).statusCode, 201)
  const { pool } = app.db as PostgresDatabase
  const admin = new pg.Client({ connectionString: url })
  await admin.connect()
  t.teardown(() => admin.end())
  /**
   * What a restart does to the app's connections: the server ends them
   * (57P01). They are found as the server knows them, both of the pool's busy
   * at once: other test files' apps are on this server too, and only this
   * app's are ended.
   */
  const restart = async () => {
    const pids = await Promise.all([0, 1].map(async () => (await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid, pg_sleep(0.05)')).rows[0]?.pid))
    t.equal(new Set(pids).size, 2, 'the app holds two connections')
    await admin.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [pids])
  }

  // Ended while idle: the pool hears of it and drops them (logged), and the next requests get new ones.
  await restart()
  while (pool.totalCount > 0) await new Promise((resolve) => setTimeout(resolve, 10))
  const next = await Promise.all(Array.from({ length: 4 }, (_, index) => post(app, `After a restart ${index}`)))
  t.same(next.map((response) => response.statusCode), [201, 201, 201, 201], 'new connections serve the next requests')

  // Ended just as requests come: one handed a connection the server has just
  // ended, before the pool heard of it, is refused like any other during a
  // restart; none fails otherwise, and the requests after it are served.
  await restart()
  const during = await Promise.all(Array.from({ length: 4 }, (_, index) => post(app, `Right after a restart ${index}`)))
  for (const response of during) {
    if (response.statusCode !== 201) assertUnavailable(t, response, /cannot be reached/, 'a request on an ended connection')
  }
  const after = await Promise.all(Array.from({ length: 4 }, (_, index) => post(app, `After the second restart ${index}`)))
  t.same(after.map((response) => response.statusCode), [201, 201, 201, 201], 'and the requests after them are served')
  const made = during.filter((response) => response.statusCode === 201).length
  t.equal((await app.inject({ method: 'GET', url: '/tasks' })).json().total, 1 + 4 + made + 4, 'exactly the acknowledged writes are stored')
})

t.test('every connection of the pool busy: a request waits DATABASE_POOL_TIMEOUT_MS, then gets a 503, never hangs', async (t) => {
  const url = await postgresTestUrl(t)
  const app = await build(t, { DATABASE_URL: url, DATABASE_POOL_SIZE: '1', DATABASE_POOL_TIMEOUT_MS: '300' })
  const id = (await post(app, 'Locked by someone else')).json().id as number
  // Another client holds the task's row: the app's PATCH waits for it, on the app's only connection.
  const other = new pg.Client({ connectionString: url })
  await other.connect()
  t.teardown(() => other.end())
  await other.query('BEGIN')
  await other.query('SELECT * FROM tasks WHERE id = $1 FOR UPDATE', [id])
  const patch = app.inject({ method: 'PATCH', url: `/tasks/${id}`, payload: { status: 'done' } })
  await new Promise((resolve) => setTimeout(resolve, 100))

  const started = performance.now()
  const waiting = await app.inject({ method: 'GET', url: `/tasks/${id}` })
  const waited = performance.now() - started
  assertUnavailable(t, waiting, /every connection in use/, 'a read while the pool is exhausted')
  t.ok(waited >= 250, `it waited for a connection first (${waited.toFixed(0)} ms)`)

  await other.query('COMMIT')
  t.match((await patch).json(), { status: 'done', version: 2 }, 'the PATCH that held the connection completes once the row is free')
  t.equal((await app.inject({ method: 'GET', url: `/tasks/${id}` })).statusCode, 200, 'and the pool serves again')
})
