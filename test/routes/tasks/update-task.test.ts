import t from 'tap'
import { build, createTask } from '../../helper.js'

const full = {
  title: 'Original',
  description: 'Some words',
  status: 'pending',
  priority: 3,
  assignee: 'grace',
  due_at: '2031-05-06T07:08:09.010Z',
  location: { name: 'Dock 4', latitude: 53.5461, longitude: 9.9661 }
}

t.test('PATCH changes only the fields sent and moves updated_at', async (t) => {
  const app = await build(t)
  const task = await createTask(app, full)
  const response = await app.inject({ method: 'PATCH', url: `/tasks/${task.id}`, payload: { status: 'done', priority: 1 } })
  t.equal(response.statusCode, 200)
  const updated = response.json()
  t.same(updated, { ...task, status: 'done', priority: 1, updated_at: updated.updated_at, version: 2 })
  t.ok(updated.updated_at > task.updated_at, 'updated_at moved on')
  t.equal(updated.created_at, task.created_at, 'created_at never moves')

  const fetched = await app.inject({ method: 'GET', url: `/tasks/${task.id}` })
  t.same(fetched.json(), updated, 'the change is stored')
})

t.test('updated_at moves on every change, even within one millisecond', async (t) => {
  const app = await build(t)
  const task = await createTask(app, full)
  let previous = task.updated_at
  for (const priority of [1, 2, 3, 4, 5]) {
    const updated = (await app.inject({ method: 'PATCH', url: `/tasks/${task.id}/`, payload: { priority } })).json()
    t.ok(updated.updated_at > previous, `priority ${priority}`)
    previous = updated.updated_at
  }
})

t.test('null clears description, assignee, due_at and location', async (t) => {
  const app = await build(t)
  const task = await createTask(app, full)
  const response = await app.inject({ method: 'PATCH', url: `/tasks/${task.id}`, payload: { description: null, assignee: null, due_at: null, location: null } })
  t.equal(response.statusCode, 200)
  t.same(response.json(), { ...task, description: null, assignee: null, due_at: null, location: null, updated_at: response.json().updated_at, version: 2 })
})

t.test('the title is trimmed on update too', async (t) => {
  const app = await build(t)
  const task = await createTask(app, full)
  const response = await app.inject({ method: 'PATCH', url: `/tasks/${task.id}`, payload: { title: '  Renamed  ' } })
  t.equal(response.json().title, 'Renamed')
})

t.test('{} and values equal to the current ones change nothing', async (t) => {
  const app = await build(t)
  const task = await createTask(app, full)
  for (const payload of [{}, { title: 'Original', priority: 3 }, { due_at: '2031-05-06T09:08:09.010+02:00', location: full.location }]) {
    const response = await app.inject({ method: 'PATCH', url: `/tasks/${task.id}`, payload })
    t.equal(response.statusCode, 200)
    t.same(response.json(), task, JSON.stringify(payload))
  }
})

t.test('null or a bad value for title, status or priority is a 422 and changes nothing', async (t) => {
  const app = await build(t)
  const task = await createTask(app, full)
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ title: null }, '#/title'],
    [{ status: null }, '#/status'],
    [{ priority: null }, '#/priority'],
    [{ title: '   ' }, '#/title'],
    [{ status: 'finished' }, '#/status'],
    [{ priority: 7 }, '#/priority'],
    [{ description: 'd'.repeat(2001) }, '#/description'],
    [{ assignee: 12 }, '#/assignee'],
    [{ id: 99 }, '#/id'],
    [{ created_at: '2020-01-01T00:00:00.000Z' }, '#/created_at'],
    // one good field beside a bad one: the good one is not applied either
    [{ title: 'Changed', priority: 0 }, '#/priority']
  ]
  for (const [payload, pointer] of cases) {
    const response = await app.inject({ method: 'PATCH', url: `/tasks/${task.id}`, payload })
    t.equal(response.statusCode, 422, JSON.stringify(payload))
    t.same(response.json().errors.map((error: { pointer: string }) => error.pointer), [pointer])
  }
  const fetched = await app.inject({ method: 'GET', url: `/tasks/${task.id}` })
  t.same(fetched.json(), task, 'the task is unchanged')
})

t.test('PATCH of an unknown or deleted task is a 404', async (t) => {
  const app = await build(t)
  const unknown = await app.inject({ method: 'PATCH', url: '/tasks/777', payload: { title: 'x' } })
  t.equal(unknown.statusCode, 404)
  t.equal(unknown.json().type, 'https://example.com/errors/not-found')

  const task = await createTask(app, full)
  await app.inject({ method: 'DELETE', url: `/tasks/${task.id}` })
  const deleted = await app.inject({ method: 'PATCH', url: `/tasks/${task.id}`, payload: { title: 'x' } })
  t.equal(deleted.statusCode, 404)
})

t.test('a PATCH body that is not JSON is rejected without a change', async (t) => {
  const app = await build(t)
  const task = await createTask(app, full)
  const malformed = await app.inject({ method: 'PATCH', url: `/tasks/${task.id}`, headers: { 'content-type': 'application/json' }, payload: '{title' })
  t.equal(malformed.statusCode, 400)
  const array = await app.inject({ method: 'PATCH', url: `/tasks/${task.id}`, headers: { 'content-type': 'application/json' }, payload: '[]' })
  t.equal(array.statusCode, 422)
  const fetched = await app.inject({ method: 'GET', url: `/tasks/${task.id}` })
  t.same(fetched.json(), task)
})
