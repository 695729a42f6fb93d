import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import t, { type Test } from 'tap'
import type { SqliteDatabase } from '../../src/db/sqlite/sqlite-database.js'
import { build, temporaryDirectory } from '../helper.js'

const PROBLEM_JSON = 'application/problem+json; charset=utf-8'

/** The app over a database file, and that file's own connection, to bring faults about. */
async function appOnFile (t: Test) {
  const path = join(temporaryDirectory(t), 'tasks.db')
  const app = await build(t, { DATABASE_URL: path })
  return { app, path, client: (app.db as SqliteDatabase).connection.$client }
}

type App = Awaited<ReturnType<typeof appOnFile>>['app']

const post = (app: App, title: string, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/tasks', payload: { title }, headers })

const total = async (app: App) => (await app.inject({ method: 'GET', url: '/tasks?include_deleted=true' })).json().total as number

function assertStorageProblem (t: Test, response: Awaited<ReturnType<App['inject']>>, fault: RegExp, label: string) {
  t.equal(response.statusCode, 503, label)
  t.equal(response.headers['content-type'], PROBLEM_JSON, label)
  t.equal(response.headers['retry-after'], '5', `${label}: Retry-After`)
  const problem = response.json()
  t.match(problem, { type: 'https://example.com/errors/storage-unavailable', title: 'Storage unavailable', status: 503 }, label)
  t.match(problem.detail, fault, label)
  t.notMatch(JSON.stringify(problem), /SQLITE|sqlite|stack|\.ts:/, `${label}: no internals`)
}

t.test('a full database: writes are 503 problems, nothing half-written, /health says so, and it recovers by itself', async (t) => {
  const { app, path, client } = await appOnFile(t)
  const pages = client.pragma('page_count', { simple: true }) as number
  client.pragma(`max_page_count = ${pages}`)

  // Fill what room is left; the first write that does not fit is refused.
  let stored = 0
  let refused
  for (let attempt = 0; attempt < 5000 && refused === undefined; attempt++) {
    const response = await post(app, `Filling the database, task number ${attempt} ${'x'.repeat(150)}`)
    if (response.statusCode === 201) stored++
    else refused = response
  }
  t.ok(refused, 'a write was refused once the database was full')
  assertStorageProblem(t, refused as Awaited<ReturnType<App['inject']>>, /full/, 'POST')

  const burst = await Promise.all(Array.from({ length: 5 }, (_, index) => post(app, `Burst ${index} ${'y'.repeat(190)}`)))
  for (const response of burst) assertStorageProblem(t, response, /full/, 'a concurrent burst')
  t.equal(await total(app), stored, 'exactly the acknowledged writes are stored')

  const health = await app.inject({ method: 'GET', url: '/health' })
  assertStorageProblem(t, health, /full/, '/health')
  t.equal((await app.inject({ method: 'GET', url: '/tasks?limit=1' })).statusCode, 200, 'reads still work')

  client.pragma('max_page_count = 4294967294')
  t.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200, '/health is ok once there is room')
  t.equal((await post(app, 'After the fault')).statusCode, 201, 'writes work again')
  t.equal(await total(app), stored + 1)

  await app.close()
  const file = new BetterSqlite3(path, { readonly: true })
  t.teardown(() => file.close())
  t.equal(file.pragma('integrity_check', { simple: true }), 'ok')
})

t.test('a read-only database: every kind of write is a 503 problem, reads go on, and it recovers', async (t) => {
  const { app, client } = await appOnFile(t)
  const task = (await post(app, 'Written before')).json()
  client.pragma('query_only = 1')

  assertStorageProblem(t, await post(app, 'Refused'), /cannot be written/, 'POST')
  assertStorageProblem(t, await post(app, 'Refused', { 'idempotency-key': 'during-fault' }), /cannot be written/, 'POST with an Idempotency-Key')
  assertStorageProblem(t, await app.inject({ method: 'PATCH', url: `/tasks/${task.id}`, payload: { title: 'Changed' } }), /cannot be written/, 'PATCH')
  assertStorageProblem(t, await app.inject({ method: 'PUT', url: `/tasks/${task.id}`, payload: { title: 'Changed' } }), /cannot be written/, 'PUT')
  assertStorageProblem(t, await app.inject({ method: 'DELETE', url: `/tasks/${task.id}` }), /cannot be written/, 'DELETE')
  assertStorageProblem(t, await app.inject({ method: 'GET', url: '/health' }), /cannot be written/, '/health')
  t.same((await app.inject({ method: 'GET', url: `/tasks/${task.id}` })).json(), task, 'the task is unchanged and can be read')

  client.pragma('query_only = 0')
  t.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200, '/health is ok again')
  const retried = await post(app, 'Refused', { 'idempotency-key': 'during-fault' })
  t.equal(retried.statusCode, 201, 'the retry of the refused request is carried out')
  t.equal(retried.headers['idempotent-replayed'], undefined, 'not a replay: nothing was stored for the key during the fault')
  t.equal(await total(app), 2)
})

t.test('a database another process keeps locked: writes wait out busy_timeout, then are 503 problems', async (t) => {
  const { app, path } = await appOnFile(t)
  const other = new BetterSqlite3(path)
  t.teardown(() => { if (other.open) other.close() })
  other.exec('BEGIN IMMEDIATE')
  const blocked = await Promise.all(['Blocked 1', 'Blocked 2', 'Blocked 3'].map((title) => post(app, title)))
  for (const response of blocked) assertStorageProblem(t, response, /locked/, 'POST')
  other.exec('ROLLBACK')
  // The event loop was blocked for that second: load shedding may answer 503 until it has measured again.
  await new Promise((resolve) => setTimeout(resolve, 1500))
  t.equal((await post(app, 'Unblocked')).statusCode, 201, 'once the lock is released')
  t.equal(await total(app), 1)
})
