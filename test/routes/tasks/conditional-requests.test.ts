import t from 'tap'
import type { Test } from 'tap'
import { build, createTask } from '../../helper.js'

type App = Awaited<ReturnType<typeof build>>
type Response = Awaited<ReturnType<App['inject']>>

const etag = (task: { id: number, version: number }) => `"${task.id}-${task.version}"`

/** The task as GET shows it now. */
async function current (app: App, id: number) {
  const response = await app.inject({ method: 'GET', url: `/tasks/${id}` })
  return response.json()
}

/** The task, deleted or not, as the list with include_deleted=true shows it. */
async function listed (app: App, id: number) {
  const response = await app.inject({ method: 'GET', url: '/tasks?include_deleted=true&limit=100' })
  return response.json().items.find((task: { id: number }) => task.id === id)
}

function assertTaskHeaders (t: Test, response: Response, task: { id: number, version: number }, label: string) {
  t.equal(response.headers.etag, etag(task), `${label}: ETag`)
  t.equal(response.headers['cache-control'], 'private, no-cache', `${label}: Cache-Control`)
}

function assertProblem (t: Test, response: Response, status: number, type: string, label: string) {
  t.equal(response.statusCode, status, label)
  t.match(response.headers['content-type'], /^application\/problem\+json/, `${label}: content-type`)
  t.match(response.json().type, new RegExp(`/${type}$`), `${label}: type`)
  t.equal(response.json().status, status, `${label}: status member`)
}

t.test('every response that carries one task has its strong ETag and Cache-Control: private, no-cache', async (t) => {
  const app = await build(t)
  const created = await app.inject({ method: 'POST', url: '/tasks', payload: { title: 'Tagged' } })
  t.equal(created.statusCode, 201)
  const task = created.json()
  t.equal(task.version, 1, 'a new task is at version 1')
  assertTaskHeaders(t, created, task, 'POST')

  const fetched = await app.inject({ method: 'GET', url: `/tasks/${task.id}` })
  t.equal(fetched.statusCode, 200)
  assertTaskHeaders(t, fetched, { id: task.id, version: 1 }, 'GET')

  const patched = await app.inject({ method: 'PATCH', url: `/tasks/${task.id}`, payload: { priority: 1 } })
  t.equal(patched.json().version, 2)
  assertTaskHeaders(t, patched, { id: task.id, version: 2 }, 'PATCH')

  const replaced = await app.inject({ method: 'PUT', url: `/tasks/${task.id}`, payload: { title: 'Replaced' } })
  t.equal(replaced.json().version, 3)
  assertTaskHeaders(t, replaced, { id: task.id, version: 3 }, 'PUT')

  const deleted = await app.inject({ method: 'DELETE', url: `/tasks/${task.id}` })
  t.equal(deleted.statusCode, 204)
  t.equal((await listed(app, task.id)).version, 4, 'a delete moves the version')

  const restored = await app.inject({ method: 'POST', url: `/tasks/${task.id}/restore` })
  t.equal(restored.statusCode, 200)
  t.equal(restored.json().version, 5, 'a restore moves the version')
  assertTaskHeaders(t, restored, { id: task.id, version: 5 }, 'restore')
})

t.test('a write that changes nothing keeps the version and the ETag', async (t) => {
  const app = await build(t)
  const task = await createTask(app, { title: 'Still', priority: 3 })
  const patched = await app.inject({ method: 'PATCH', url: `/tasks/${task.id}`, payload: { priority: 3 } })
  t.same(patched.json(), task)
  assertTaskHeaders(t, patched, task, 'PATCH')
  const replaced = await app.inject({ method: 'PUT', url: `/tasks/${task.id}`, payload: { title: 'Still', priority: 3 } })
  t.same(replaced.json(), task)
  assertTaskHeaders(t, replaced, task, 'PUT')
  const restored = await app.inject({ method: 'POST', url: `/tasks/${task.id}/restore` })
  t.same(restored.json(), task, 'restoring a live task changes nothing')
})

t.test('GET with If-None-Match holding the current ETag is a 304 with no body and the ETag headers', async (t) => {
  const app = await build(t)
  const task = await createTask(app, { title: 'Cached' })
  const other = await createTask(app, { title: 'Other' })
  for (const header of [etag(task), `W/${etag(task)}`, '*', `"999-1", ${etag(task)}`, `${etag(other)},W/${etag(task)}`]) {
    const response = await app.inject({ method: 'GET', url: `/tasks/${task.id}`, headers: { 'if-none-match': header } })
    t.equal(response.statusCode, 304, header)
    t.equal(response.body, '', `${header}: empty body`)
    assertTaskHeaders(t, response, task, header)
    t.notOk(response.headers['content-type'], `${header}: no content-type`)
    t.ok(response.headers['content-length'] === undefined || response.headers['content-length'] === '0', `${header}: no content-length for a body`)
  }
})

t.test('GET with If-None-Match not holding the current ETag is a 200 with the task', async (t) => {
  const app = await build(t)
  const task = await createTask(app, { title: 'Stale copy' })
  const stale = etag(task)
  await app.inject({ method: 'PATCH', url: `/tasks/${task.id}`, payload: { title: 'Fresh' } })
  for (const header of [stale, `W/${stale}`, `"${task.id}-3", "999-2"`]) {
    const response = await app.inject({ method: 'GET', url: `/tasks/${task.id}`, headers: { 'if-none-match': header } })
    t.equal(response.statusCode, 200, header)
    t.equal(response.json().title, 'Fresh', header)
    assertTaskHeaders(t, response, { id: task.id, version: 2 }, header)
  }
})

t.test('GET of a missing task is a 404 even with If-None-Match: *', async (t) => {
  const app = await build(t)
  const response = await app.inject({ method: 'GET', url: '/tasks/4242', headers: { 'if-none-match': '*' } })
  assertProblem(t, response, 404, 'not-found', 'GET')
})

t.test('PATCH, PUT, DELETE and restore proceed when If-Match lists the current ETag or is *', async (t) => {
  const app = await build(t)
  const task = await createTask(app, { title: 'Guarded' })

  const patched = await app.inject({ method: 'PATCH', url: `/tasks/${task.id}`, headers: { 'if-match': `"999-1", ${etag(task)}` }, payload: { status: 'in_progress' } })
  t.equal(patched.statusCode, 200, 'PATCH with a list holding the ETag')
  t.match(patched.json(), { status: 'in_progress', version: 2 })

  const replaced = await app.inject({ method: 'PUT', url: `/tasks/${task.id}`, headers: { 'if-match': etag(patched.json()) }, payload: { title: 'Replaced' } })
  t.equal(replaced.statusCode, 200, 'PUT with the ETag')
  t.match(replaced.json(), { title: 'Replaced', status: 'pending', version: 3 })

  const deleted = await app.inject({ method: 'DELETE', url: `/tasks/${task.id}`, headers: { 'if-match': '*' } })
  t.equal(deleted.statusCode, 204, 'DELETE with *')
  const gone = await listed(app, task.id)
  t.equal(gone.version, 4)

  const restored = await app.inject({ method: 'POST', url: `/tasks/${task.id}/restore`, headers: { 'if-match': etag(gone) } })
  t.equal(restored.statusCode, 200, 'restore with the deleted task\'s ETag from the list')
  t.match(restored.json(), { deleted_at: null, version: 5 })
  t.same(await current(app, task.id), restored.json(), 'the task is back')
})

t.test('a stale If-Match on PATCH, PUT or DELETE is a 412 problem and changes nothing', async (t) => {
  const app = await build(t)
  const task = await createTask(app, { title: 'Moved on', description: 'v1', priority: 4, assignee: 'ada' })
  const stale = etag(task)
  const now = (await app.inject({ method: 'PATCH', url: `/tasks/${task.id}`, payload: { description: 'v2' } })).json()

  const attempts = [
    { method: 'PATCH', payload: { title: 'Lost update' } },
    { method: 'PUT', payload: { title: 'Lost replace' } },
    { method: 'DELETE' }
  ] as const
  for (const attempt of attempts) {
    const response = await app.inject({ url: `/tasks/${task.id}`, headers: { 'if-match': stale }, ...attempt })
    assertProblem(t, response, 412, 'precondition-failed', attempt.method)
    t.same(await current(app, task.id), now, `${attempt.method}: the task is unchanged, same version`)
  }
})

t.test('a stale If-Match on restore is a 412 problem and the task stays deleted', async (t) => {
  const app = await build(t)
  const task = await createTask(app, { title: 'Binned' })
  await app.inject({ method: 'DELETE', url: `/tasks/${task.id}` })
  const deleted = await listed(app, task.id)
  t.equal(deleted.version, 2)

  for (const header of [etag(task), `W/${etag(deleted)}`]) {
    const response = await app.inject({ method: 'POST', url: `/tasks/${task.id}/restore`, headers: { 'if-match': header } })
    assertProblem(t, response, 412, 'precondition-failed', header)
  }
  t.same(await listed(app, task.id), deleted, 'still deleted, same version')
  t.equal((await app.inject({ method: 'GET', url: `/tasks/${task.id}` })).statusCode, 404)
})

t.test('If-Match uses strong comparison: a weak tag never matches, even the current one', async (t) => {
  const app = await build(t)
  const task = await createTask(app, { title: 'Strong only' })
  const weak = `W/${etag(task)}`
  const cases = [
    { method: 'PATCH', payload: { title: 'Weakly patched' } },
    { method: 'PUT', payload: { title: 'Weakly replaced' } },
    { method: 'DELETE' }
  ] as const
  for (const attempt of cases) {
    const response = await app.inject({ url: `/tasks/${task.id}`, headers: { 'if-match': weak }, ...attempt })
    assertProblem(t, response, 412, 'precondition-failed', attempt.method)
  }
  t.same(await current(app, task.id), task, 'the task is unchanged')
})

t.test('a missing task is a 404, not a 412, whatever If-Match says', async (t) => {
  const app = await build(t)
  const task = await createTask(app, { title: 'Soon gone' })
  await app.inject({ method: 'DELETE', url: `/tasks/${task.id}` })
  const attempts = [
    { method: 'PATCH', url: '/tasks/4242', payload: { title: 'x' } },
    { method: 'PUT', url: '/tasks/4242', payload: { title: 'x' } },
    { method: 'DELETE', url: '/tasks/4242' },
    { method: 'POST', url: '/tasks/4242/restore' },
    // a soft-deleted task is missing for the writes other than restore
    { method: 'PATCH', url: `/tasks/${task.id}`, payload: { title: 'x' } },
    { method: 'DELETE', url: `/tasks/${task.id}` }
  ] as const
  for (const attempt of attempts) {
    for (const header of ['"4242-1"', '*']) {
      const response = await app.inject({ headers: { 'if-match': header }, ...attempt })
      assertProblem(t, response, 404, 'not-found', `${attempt.method} ${attempt.url} If-Match: ${header}`)
    }
  }
})

t.test('with REQUIRE_IF_MATCH, PATCH, PUT, DELETE and restore without If-Match are a 428 problem and change nothing', async (t) => {
  const app = await build(t, { REQUIRE_IF_MATCH: 'true' })
  const task = await createTask(app, { title: 'Strict' })
  const attempts = [
    { method: 'PATCH', url: `/tasks/${task.id}`, payload: { title: 'Unguarded' } },
    { method: 'PUT', url: `/tasks/${task.id}`, payload: { title: 'Unguarded' } },
    { method: 'DELETE', url: `/tasks/${task.id}` },
    { method: 'POST', url: `/tasks/${task.id}/restore` }
  ] as const
  for (const attempt of attempts) {
    const response = await app.inject(attempt)
    assertProblem(t, response, 428, 'precondition-required', attempt.method)
  }
  t.same(await current(app, task.id), task, 'the task is unchanged')
})

t.test('with REQUIRE_IF_MATCH, writes with If-Match work and GET and POST /tasks need none', async (t) => {
  const app = await build(t, { REQUIRE_IF_MATCH: 'true' })
  const created = await app.inject({ method: 'POST', url: '/tasks', payload: { title: 'Strict' } })
  t.equal(created.statusCode, 201, 'POST /tasks needs no If-Match')
  const task = created.json()
  const fetched = await app.inject({ method: 'GET', url: `/tasks/${task.id}` })
  t.equal(fetched.statusCode, 200, 'GET needs no If-Match')
  t.equal((await app.inject({ method: 'GET', url: '/tasks' })).statusCode, 200, 'the list needs no If-Match')

  const patched = await app.inject({ method: 'PATCH', url: `/tasks/${task.id}`, headers: { 'if-match': fetched.headers.etag as string }, payload: { priority: 5 } })
  t.equal(patched.statusCode, 200, 'PATCH')
  const replaced = await app.inject({ method: 'PUT', url: `/tasks/${task.id}`, headers: { 'if-match': patched.headers.etag as string }, payload: { title: 'Strict again' } })
  t.equal(replaced.statusCode, 200, 'PUT')
  const deleted = await app.inject({ method: 'DELETE', url: `/tasks/${task.id}`, headers: { 'if-match': replaced.headers.etag as string } })
  t.equal(deleted.statusCode, 204, 'DELETE')
  const restored = await app.inject({ method: 'POST', url: `/tasks/${task.id}/restore`, headers: { 'if-match': '*' } })
  t.equal(restored.statusCode, 200, 'restore')
  t.match(await current(app, task.id), { title: 'Strict again', priority: 2, version: 5, deleted_at: null })

  const stale = await app.inject({ method: 'PATCH', url: `/tasks/${task.id}`, headers: { 'if-match': etag(task) }, payload: { priority: 1 } })
  assertProblem(t, stale, 412, 'precondition-failed', 'a stale If-Match is still a 412')
})

t.test('without REQUIRE_IF_MATCH, writes need no If-Match', async (t) => {
  const app = await build(t)
  const task = await createTask(app, { title: 'Relaxed' })
  const response = await app.inject({ method: 'PATCH', url: `/tasks/${task.id}`, payload: { priority: 5 } })
  t.equal(response.statusCode, 200)
})

/** Checks that of two concurrent writes one is a 200 and the other a 412 problem; returns the winner's index. */
function winnerOf (t: Test, responses: Response[]) {
  const statuses = responses.map((response) => response.statusCode)
  const winners = responses.filter((response) => response.statusCode === 200)
  const losers = responses.filter((response) => response.statusCode === 412)
  t.equal(winners.length, 1, `exactly one write wins (statuses ${statuses.join(', ')})`)
  t.equal(losers.length, 1, `exactly one write gets a 412 (statuses ${statuses.join(', ')})`)
  for (const loser of losers) assertProblem(t, loser, 412, 'precondition-failed', 'the loser')
  return responses.findIndex((response) => response.statusCode === 200)
}

t.test('two concurrent PATCHes with the same If-Match: one 200, one 412, the winner\'s change is stored', async (t) => {
  const app = await build(t)
  const task = await createTask(app, { title: 'Contended', priority: 3 })
  const payloads = [{ title: 'Alice was here' }, { title: 'Bob was here' }]
  const responses = await Promise.all(payloads.map((payload) =>
    app.inject({ method: 'PATCH', url: `/tasks/${task.id}`, headers: { 'if-match': etag(task) }, payload })))
  const winner = winnerOf(t, responses)
  const stored = await current(app, task.id)
  t.equal(stored.title, payloads[winner]?.title, 'the winner\'s change is stored')
  t.equal(stored.version, task.version + 1, 'one change, one new version')
  t.same(stored, responses[winner]?.json(), 'the winner\'s response is what is stored')
})

t.test('two concurrent PUTs with the same If-Match: one 200, one 412, the winner\'s replacement is stored', async (t) => {
  const app = await build(t)
  const task = await createTask(app, { title: 'Contended', description: 'shared', priority: 3 })
  const payloads = [{ title: 'Alice', status: 'done' }, { title: 'Bob', priority: 5 }]
  const responses = await Promise.all(payloads.map((payload) =>
    app.inject({ method: 'PUT', url: `/tasks/${task.id}`, headers: { 'if-match': etag(task) }, payload })))
  const winner = winnerOf(t, responses)
  const stored = await current(app, task.id)
  t.equal(stored.title, payloads[winner]?.title, 'the winner\'s replacement is stored')
  t.equal(stored.description, null, 'replaced whole')
  t.equal(stored.version, task.version + 1, 'one change, one new version')
  t.same(stored, responses[winner]?.json())
})

t.test('a concurrent DELETE and PATCH with the same If-Match: exactly one applies, the other is refused', async (t) => {
  // Whichever write reaches the store second sees the other's version. A PATCH
  // that loses to the DELETE finds no task (404 wins over 412); a DELETE that
  // loses to the PATCH is a 412. A PATCH has a body to parse, so when both
  // start together the DELETE gets there first; the second time the DELETE
  // starts 5 ms later, still with the old ETag, so that the PATCH wins.
  const app = await build(t)
  for (const patchAhead of [false, true]) {
    const label = patchAhead ? 'PATCH ahead' : 'started together'
    const task = await createTask(app, { title: 'Delete or edit' })
    const edit = app.inject({ method: 'PATCH', url: `/tasks/${task.id}`, headers: { 'if-match': etag(task) }, payload: { title: 'Edited' } })
    if (patchAhead) await new Promise((resolve) => setTimeout(resolve, 5))
    const remove = app.inject({ method: 'DELETE', url: `/tasks/${task.id}`, headers: { 'if-match': etag(task) } })
    const [patched, deleted] = await Promise.all([edit, remove])
    const stored = await listed(app, task.id)
    t.equal(stored.version, task.version + 1, `${label}: one change, one new version`)
    if (deleted.statusCode === 204) {
      assertProblem(t, patched, 404, 'not-found', `${label}: the DELETE won, the PATCH finds no task`)
      t.not(stored.deleted_at, null, `${label}: the task is deleted`)
      t.equal(stored.title, task.title, `${label}: the edit was not applied`)
    } else {
      t.equal(patched.statusCode, 200, `${label}: the PATCH won`)
      assertProblem(t, deleted, 412, 'precondition-failed', `${label}: the DELETE is refused`)
      t.match(stored, { deleted_at: null, title: 'Edited' }, `${label}: the task is edited, not deleted`)
    }
  }
})
