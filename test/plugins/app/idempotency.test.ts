import { setTimeout as sleep } from 'node:timers/promises'
import { join } from 'node:path'
import t from 'tap'
import { bearer, build, createTask, temporaryDirectory, userToken } from '../../helper.js'

type App = Awaited<ReturnType<typeof build>>

const PROBLEM_BASE = 'https://example.com/errors/'

async function post (app: App, url: string, key: string | undefined, payload?: Record<string, unknown>, headers: Record<string, string> = {}) {
  return app.inject({
    method: 'POST',
    url,
    ...(payload === undefined ? {} : { payload }),
    headers: { ...(key === undefined ? {} : { 'idempotency-key': key }), ...headers }
  })
}

/** How many tasks the API lists, soft-deleted ones included. */
async function taskCount (app: App): Promise<number> {
  const response = await app.inject({ method: 'GET', url: '/tasks?include_deleted=true' })
  return response.json().total
}

/** The headers a replay must repeat exactly. */
function replayedHeaders (headers: Record<string, unknown>) {
  return {
    'content-type': headers['content-type'],
    location: headers.location,
    etag: headers.etag,
    'cache-control': headers['cache-control']
  }
}

t.test('a repeated POST /tasks with the same key and body replays the first response byte for byte and creates nothing', async (t) => {
  const app = await build(t)
  const body = { title: 'Pay invoice', priority: 1, assignee: 'ada' }
  const first = await post(app, '/tasks', 'key-create-1', body)
  t.equal(first.statusCode, 201)
  t.equal(first.headers['idempotent-replayed'], undefined, 'the first response is not a replay')
  const task = first.json()
  t.equal(first.headers.location, `/tasks/${task.id}`)
  t.equal(first.headers.etag, `"${task.id}-${task.version}"`)

  for (let i = 0; i < 3; i++) {
    const again = await post(app, '/tasks', 'key-create-1', body)
    t.equal(again.statusCode, 201, `repeat ${i + 1}: same status`)
    t.equal(again.headers['idempotent-replayed'], 'true', `repeat ${i + 1}: marked as a replay`)
    t.equal(again.body, first.body, `repeat ${i + 1}: same bytes`)
    t.same(replayedHeaders(again.headers), replayedHeaders(first.headers), `repeat ${i + 1}: same Location, ETag and content type`)
  }
  t.equal(await taskCount(app), 1, 'one task, however many repeats')
})

t.test('the order of keys in the JSON body does not make a request different', async (t) => {
  const app = await build(t)
  const first = await app.inject({
    method: 'POST',
    url: '/tasks',
    headers: { 'idempotency-key': 'ordered', 'content-type': 'application/json' },
    payload: '{"title":"Order","priority":3,"description":"d","status":"in_progress"}'
  })
  t.equal(first.statusCode, 201)
  const again = await app.inject({
    method: 'POST',
    url: '/tasks/',
    headers: { 'idempotency-key': 'ordered', 'content-type': 'application/json' },
    payload: '{ "status": "in_progress", "description": "d", "priority": 3, "title": "Order" }'
  })
  t.equal(again.statusCode, 201)
  t.equal(again.headers['idempotent-replayed'], 'true', 'same fields in another order (and a trailing slash) is the same request')
  t.equal(again.body, first.body)
  t.equal(await taskCount(app), 1)
})

t.test('the same key with a different body or on another route is a 422 idempotency-key-reused problem that changes nothing', async (t) => {
  const app = await build(t)
  const first = await post(app, '/tasks', 'shared', { title: 'Original' })
  t.equal(first.statusCode, 201)
  const task = first.json()
  await app.inject({ method: 'DELETE', url: `/tasks/${task.id}` })

  const cases: Array<[string, string, Record<string, unknown> | undefined]> = [
    ['another title', '/tasks', { title: 'Changed' }],
    ['an extra field', '/tasks', { title: 'Original', priority: 2 }],
    ['the restore route', `/tasks/${task.id}/restore`, undefined]
  ]
  for (const [name, url, payload] of cases) {
    const response = await post(app, url, 'shared', payload)
    t.equal(response.statusCode, 422, name)
    t.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8', name)
    t.equal(response.headers['idempotent-replayed'], undefined, name)
    const problem = response.json()
    t.match(problem.type, /idempotency-key-reused$/, name)
    t.equal(problem.status, 422, name)
  }
  t.equal(await taskCount(app), 1, 'nothing created')
  const stillDeleted = await app.inject({ method: 'GET', url: `/tasks/${task.id}` })
  t.equal(stillDeleted.statusCode, 404, 'the restore with the reused key did not run')

  const replay = await post(app, '/tasks', 'shared', { title: 'Original' })
  t.equal(replay.headers['idempotent-replayed'], 'true', 'the original request is still replayed')
  t.equal(replay.body, first.body)
})

t.test('POST /tasks/{id}/restore replays its first response, even after the task has changed since', async (t) => {
  const app = await build(t)
  const task = await createTask(app, { title: 'Phoenix' })
  await app.inject({ method: 'DELETE', url: `/tasks/${task.id}` })

  const first = await post(app, `/tasks/${task.id}/restore`, 'restore-1')
  t.equal(first.statusCode, 200)
  t.equal(first.json().deleted_at, null)
  t.equal(first.headers.location, undefined, 'a restore has no Location')

  const patched = await app.inject({ method: 'PATCH', url: `/tasks/${task.id}`, payload: { title: 'Phoenix II' } })
  t.equal(patched.statusCode, 200)

  const again = await post(app, `/tasks/${task.id}/restore`, 'restore-1')
  t.equal(again.statusCode, 200)
  t.equal(again.headers['idempotent-replayed'], 'true')
  t.equal(again.body, first.body, 'the stored response, not the task as it is now')
  t.same(replayedHeaders(again.headers), replayedHeaders(first.headers))

  const now = await app.inject({ method: 'GET', url: `/tasks/${task.id}` })
  t.equal(now.json().title, 'Phoenix II', 'the replay wrote nothing')
  t.equal(now.json().version, patched.json().version)

  const other = await createTask(app, { title: 'Other' })
  const reused = await post(app, `/tasks/${other.id}/restore`, 'restore-1')
  t.equal(reused.statusCode, 422, 'the same key for another task id')
  t.match(reused.json().type, /idempotency-key-reused$/)
})

t.test('without a key, two identical POSTs create two tasks', async (t) => {
  const app = await build(t)
  const first = await post(app, '/tasks', undefined, { title: 'Twice' })
  const second = await post(app, '/tasks', undefined, { title: 'Twice' })
  t.equal(first.statusCode, 201)
  t.equal(second.statusCode, 201)
  t.equal(first.headers['idempotent-replayed'], undefined)
  t.equal(second.headers['idempotent-replayed'], undefined)
  t.not(first.json().id, second.json().id)
  t.equal(await taskCount(app), 2)
})

t.test('different keys with the same body create different tasks', async (t) => {
  const app = await build(t)
  const first = await post(app, '/tasks', 'one', { title: 'Same' })
  const second = await post(app, '/tasks', 'two', { title: 'Same' })
  t.equal(second.statusCode, 201)
  t.equal(second.headers['idempotent-replayed'], undefined)
  t.not(first.json().id, second.json().id)
  t.equal(await taskCount(app), 2)
})

t.test('an Idempotency-Key must be 1 to 255 characters: otherwise a 422 problem naming the header, and nothing is created', async (t) => {
  const app = await build(t)
  for (const [name, key] of [['empty', ''], ['256 characters', 'k'.repeat(256)]] as const) {
    const response = await post(app, '/tasks', key, { title: 'Bad key' })
    t.equal(response.statusCode, 422, name)
    const problem = response.json()
    t.equal(problem.type, `${PROBLEM_BASE}validation`, name)
    t.ok(problem.errors.some((error: { parameter: string }) => error.parameter === 'idempotency-key'), `${name}: names idempotency-key`)

    const task = await createTask(app, { title: 'Deleted' })
    await app.inject({ method: 'DELETE', url: `/tasks/${task.id}` })
    const restore = await post(app, `/tasks/${task.id}/restore`, key)
    t.equal(restore.statusCode, 422, `${name} on restore`)
    t.ok(restore.json().errors.some((error: { parameter: string }) => error.parameter === 'idempotency-key'), `${name} on restore: names idempotency-key`)
    t.equal((await app.inject({ method: 'GET', url: `/tasks/${task.id}` })).statusCode, 404, `${name} on restore: still deleted`)
  }
  t.equal((await app.inject({ method: 'GET', url: '/tasks' })).json().total, 0, 'nothing created or restored')

  for (const key of ['k', 'k'.repeat(255)]) {
    const response = await post(app, '/tasks', key, { title: 'Good key' })
    t.equal(response.statusCode, 201, `a key of ${key.length} characters`)
    const again = await post(app, '/tasks', key, { title: 'Good key' })
    t.equal(again.headers['idempotent-replayed'], 'true', `a key of ${key.length} characters is honoured`)
  }
})

t.test('two concurrent POSTs with the same key create exactly one task; the other is a 409 or a replay', async (t) => {
  for (let round = 0; round < 5; round++) {
    const app = await build(t)
    const body = { title: `Race ${round}` }
    const responses = await Promise.all([post(app, '/tasks', 'race', body), post(app, '/tasks', 'race', body)])
    t.equal(await taskCount(app), 1, `round ${round}: exactly one task`)

    const created = responses.filter((response) => response.statusCode === 201 && response.headers['idempotent-replayed'] === undefined)
    t.equal(created.length, 1, `round ${round}: one response created the task`)
    const [original] = created
    const other = responses.find((response) => response !== original)
    if (original === undefined || other === undefined) continue
    if (other.statusCode === 409) {
      t.match(other.json().type, /idempotency-key-in-use$/, `round ${round}: the other is 409 idempotency-key-in-use`)
      t.equal(other.headers['content-type'], 'application/problem+json; charset=utf-8')
    } else {
      t.equal(other.statusCode, 201, `round ${round}: the other is a replay`)
      t.equal(other.headers['idempotent-replayed'], 'true')
      t.equal(other.body, original.body, `round ${round}: the replay is of the same task`)
    }

    // Once the first is answered, the key replays.
    const later = await post(app, '/tasks', 'race', body)
    t.equal(later.headers['idempotent-replayed'], 'true', `round ${round}: a later retry is a replay`)
    t.equal(later.body, original.body)
  }
})

t.test('a repeat that arrives while the first is still being written is a 409 problem with nothing done', async (t) => {
  const app = await build(t)
  // Both reach the handler before the first one's commit (writes are committed
  // together at the end of the event-loop turn), so the second finds the key in flight.
  const [first, second] = await Promise.all([
    post(app, '/tasks', 'in-flight', { title: 'Once' }),
    post(app, '/tasks', 'in-flight', { title: 'Once' })
  ])
  t.equal(first?.statusCode, 201)
  t.equal(second?.statusCode, 409)
  t.match(second?.json(), { type: 'https://example.com/errors/idempotency-key-in-use', status: 409 })
  t.equal(await taskCount(app), 1)
  const retried = await post(app, '/tasks', 'in-flight', { title: 'Once' })
  t.equal(retried.headers['idempotent-replayed'], 'true', 'retried once the first was answered, it is a replay')
  t.equal(retried.body, first?.body)
})

t.test('two concurrent restores with the same key restore once; the other is a 409 or a replay', async (t) => {
  const app = await build(t)
  const task = await createTask(app, { title: 'Concurrent restore' })
  await app.inject({ method: 'DELETE', url: `/tasks/${task.id}` })
  const url = `/tasks/${task.id}/restore`
  const responses = await Promise.all([post(app, url, 'restore-race'), post(app, url, 'restore-race')])
  const fresh = responses.filter((response) => response.statusCode === 200 && response.headers['idempotent-replayed'] === undefined)
  t.equal(fresh.length, 1, 'one restore ran')
  const other = responses.find((response) => response !== fresh[0])
  t.ok(other?.statusCode === 409 || (other?.statusCode === 200 && other.headers['idempotent-replayed'] === 'true' && other.body === fresh[0]?.body),
    `the other is a 409 or a replay (got ${other?.statusCode})`)
  const now = (await app.inject({ method: 'GET', url: `/tasks/${task.id}` })).json()
  t.equal(now.version, fresh[0]?.json().version, 'restored once: the version moved once')
})

t.test('a failed request is not stored: its key stays free for another request', async (t) => {
  const app = await build(t)
  const missing = await post(app, '/tasks/31337/restore', 'unlucky')
  t.equal(missing.statusCode, 404)
  t.equal(missing.json().type, `${PROBLEM_BASE}not-found`)
  const retryMissing = await post(app, '/tasks/31337/restore', 'unlucky')
  t.equal(retryMissing.statusCode, 404, 'a retry of the 404 runs again')
  t.equal(retryMissing.headers['idempotent-replayed'], undefined)

  const task = await createTask(app, { title: 'Restorable' })
  await app.inject({ method: 'DELETE', url: `/tasks/${task.id}` })
  const restore = await post(app, `/tasks/${task.id}/restore`, 'unlucky')
  t.equal(restore.statusCode, 200, 'the key is free for a request on another path')
  t.equal(restore.headers['idempotent-replayed'], undefined)
  t.equal(restore.json().deleted_at, null)

  const invalid = await post(app, '/tasks', 'first-try', { title: '' })
  t.equal(invalid.statusCode, 422, 'an invalid create')
  const valid = await post(app, '/tasks', 'first-try', { title: 'Fixed' })
  t.equal(valid.statusCode, 201, 'the key is free for the corrected body')
  t.equal(valid.headers['idempotent-replayed'], undefined)

  const target = await createTask(app, { title: 'Guarded' })
  await app.inject({ method: 'DELETE', url: `/tasks/${target.id}` })
  const stale = await post(app, `/tasks/${target.id}/restore`, 'guarded', undefined, { 'if-match': '"999-999"' })
  t.equal(stale.statusCode, 412, 'a restore whose If-Match fails')
  const fresh = await post(app, `/tasks/${target.id}/restore`, 'guarded', undefined, { 'if-match': '*' })
  t.equal(fresh.statusCode, 200, 'the same key, once the precondition holds, restores')
  t.equal(fresh.headers['idempotent-replayed'], undefined)
})

t.test('after IDEMPOTENCY_TTL_MS the key is forgotten: the same key with another body creates a new task', async (t) => {
  const app = await build(t, { IDEMPOTENCY_TTL_MS: '1000' })
  const first = await post(app, '/tasks', 'short-lived', { title: 'Before' })
  t.equal(first.statusCode, 201)
  await sleep(1200)
  const second = await post(app, '/tasks', 'short-lived', { title: 'After' })
  t.equal(second.statusCode, 201, 'not a 422: the key has expired')
  t.equal(second.headers['idempotent-replayed'], undefined)
  t.not(second.json().id, first.json().id)
  t.equal(second.json().title, 'After')

  const third = await post(app, '/tasks', 'short-lived', { title: 'After' })
  t.equal(third.headers['idempotent-replayed'], 'true', 'the key now stands for the new request')
  t.equal(third.body, second.body)
  t.equal(await taskCount(app), 2)

  const expiredAgain = await post(app, '/tasks', 'short-lived', { title: 'After' })
  t.equal(expiredAgain.headers['idempotent-replayed'], 'true', 'still within its new lifetime')
  await sleep(1200)
  const same = await post(app, '/tasks', 'short-lived', { title: 'After' })
  t.equal(same.statusCode, 201)
  t.equal(same.headers['idempotent-replayed'], undefined, 'an expired key is not replayed even for the same request')
  t.equal(await taskCount(app), 3)
})

t.test('purgeExpired removes exactly the expired keys and answers how many', async (t) => {
  const ttl = 60_000
  const app = await build(t, { IDEMPOTENCY_TTL_MS: String(ttl) })
  t.equal(await app.db.idempotency.purgeExpired(Date.now()), 0, 'nothing stored yet')

  t.equal((await post(app, '/tasks', 'early-1', { title: 'a' })).statusCode, 201)
  t.equal((await post(app, '/tasks', 'early-2', { title: 'b' })).statusCode, 201)
  const afterEarly = Date.now()
  await sleep(10)
  t.equal((await post(app, '/tasks', 'late', { title: 'c' })).statusCode, 201)
  await post(app, '/tasks', undefined, { title: 'no key' })

  t.equal(await app.db.idempotency.purgeExpired(Date.now()), 0, 'none has expired yet')
  t.equal(await app.db.idempotency.purgeExpired(afterEarly + ttl), 2, 'the two early keys by the time they expire')
  t.equal(await app.db.idempotency.purgeExpired(afterEarly + ttl), 0, 'and they are gone')

  const late = await post(app, '/tasks', 'late', { title: 'c' })
  t.equal(late.headers['idempotent-replayed'], 'true', 'the key not yet expired is kept')
  const reusedEarly = await post(app, '/tasks', 'early-1', { title: 'reused' })
  t.equal(reusedEarly.statusCode, 201, 'a purged key is free again')
  t.equal(reusedEarly.headers['idempotent-replayed'], undefined)

  t.equal(await app.db.idempotency.purgeExpired(Date.now() + 2 * ttl), 2, 'late and the reused early-1')
  t.equal(await taskCount(app), 5, 'purging deletes no task')
})

t.test('expired keys are purged in the background', async (t) => {
  const app = await build(t, { IDEMPOTENCY_TTL_MS: '30' })
  t.equal((await post(app, '/tasks', 'background', { title: 'x' })).statusCode, 201)
  await sleep(300)
  t.equal(await app.db.idempotency.purgeExpired(Date.now()), 0, 'already purged by the server')
})

t.test('a stored response survives a restart on a file database', async (t) => {
  const directory = temporaryDirectory(t)
  const env = { DATABASE_URL: join(directory, 'tasks.db') }
  const body = { title: 'Durable', description: 'kept across restarts' }

  const before = await build(t, env)
  const first = await post(before, '/tasks', 'durable-key', body)
  t.equal(first.statusCode, 201)
  await before.close()

  const after = await build(t, env)
  const again = await post(after, '/tasks', 'durable-key', body)
  t.equal(again.statusCode, 201)
  t.equal(again.headers['idempotent-replayed'], 'true')
  t.equal(again.body, first.body)
  t.equal(again.json().id, first.json().id)
  t.same(replayedHeaders(again.headers), replayedHeaders(first.headers))
  t.equal(await taskCount(after), 1)

  const reused = await post(after, '/tasks', 'durable-key', { title: 'Other' })
  t.equal(reused.statusCode, 422, 'the fingerprint survives too')
  t.match(reused.json().type, /idempotency-key-reused$/)
})

t.test('a failed purge of expired keys does not bring the service down', async (t) => {
  const app = await build(t, { IDEMPOTENCY_TTL_MS: '20' })
  await app.db.close()
  await sleep(80)
  const health = await app.inject({ method: 'GET', url: '/health' })
  t.equal(health.statusCode, 503, 'the service still answers, reporting the database it lost')
})

t.test('keys are per user: the same key from two users names two requests', async (t) => {
  const app = await build(t)
  const ada = await userToken(app, 'ada')
  const bob = await userToken(app, 'bob')
  const send = async (token: string, title: string) => app.inject({ method: 'POST', url: '/tasks', headers: { ...bearer(token), 'idempotency-key': 'shared-key' }, payload: { title } })
  const first = await send(ada, 'Ada\'s')
  const second = await send(bob, 'Bob\'s')
  t.same([first.statusCode, second.statusCode], [201, 201])
  t.not(second.json().id, first.json().id, 'bob\'s request created its own task')
  t.equal(second.headers['idempotent-replayed'], undefined, 'and was not answered with ada\'s')
  const replay = await send(ada, 'Ada\'s')
  t.same([replay.headers['idempotent-replayed'], replay.json().id], ['true', first.json().id], 'ada\'s repeat is replayed')
})
