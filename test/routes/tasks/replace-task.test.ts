import t from 'tap'
import { build, createTask } from '../../helper.js'

const full = {
  title: 'Original',
  description: 'Some words',
  status: 'in_progress',
  priority: 4,
  assignee: 'grace',
  notify_email: 'grace@example.com',
  due_at: '2031-05-06T07:08:09.010Z',
  location: { name: 'Dock 4', latitude: 53.5461, longitude: 9.9661 }
}

t.test('PUT sets every field sent, moves updated_at and the version, and stores the result', async (t) => {
  const app = await build(t)
  const task = await createTask(app, full)
  const payload = {
    title: 'Replaced',
    description: 'Other words',
    status: 'done',
    priority: 1,
    assignee: 'ada',
    notify_email: 'ada@example.com',
    due_at: '2032-01-01T00:00:00.000Z',
    location: { name: null, latitude: -33.8568, longitude: 151.2153 }
  }
  const response = await app.inject({ method: 'PUT', url: `/tasks/${task.id}`, payload })
  t.equal(response.statusCode, 200)
  const replaced = response.json()
  t.same(replaced, { ...task, ...payload, updated_at: replaced.updated_at, version: 2 })
  t.ok(replaced.updated_at > task.updated_at, 'updated_at moved on')
  t.equal(replaced.created_at, task.created_at, 'created_at never moves')
  t.equal(response.headers.etag, `"${task.id}-2"`)

  const fetched = await app.inject({ method: 'GET', url: `/tasks/${task.id}` })
  t.same(fetched.json(), replaced, 'the replacement is stored')
})

t.test('PUT with only a title returns every other field to its default', async (t) => {
  const app = await build(t)
  const task = await createTask(app, full)
  const response = await app.inject({ method: 'PUT', url: `/tasks/${task.id}`, payload: { title: 'Bare' } })
  t.equal(response.statusCode, 200)
  t.match(response.json(), { title: 'Bare', description: null, assignee: null, priority: 2, status: 'pending', version: 2 })
  t.strictSame([response.json().notify_email, response.json().due_at, response.json().location], [null, null, null], 'no email, due time or location')
  t.same((await app.inject({ method: 'GET', url: `/tasks/${task.id}` })).json(), response.json())
})

t.test('PUT with the same values changes nothing: same version, same updated_at', async (t) => {
  const app = await build(t)
  const task = await createTask(app, full)
  const response = await app.inject({ method: 'PUT', url: `/tasks/${task.id}`, payload: full })
  t.equal(response.statusCode, 200)
  t.same(response.json(), task)
  t.equal(response.headers.etag, `"${task.id}-1"`)

  // Defaults count as values: a task at its defaults replaced by only its title is unchanged.
  const plain = await createTask(app, { title: 'Plain' })
  const again = await app.inject({ method: 'PUT', url: `/tasks/${plain.id}`, payload: { title: 'Plain' } })
  t.same(again.json(), plain)
})

t.test('PUT trims the title, and a title that is only whitespace is a 422', async (t) => {
  const app = await build(t)
  const task = await createTask(app, full)
  const trimmed = await app.inject({ method: 'PUT', url: `/tasks/${task.id}`, payload: { title: '  Spacious  ' } })
  t.equal(trimmed.statusCode, 200)
  t.equal(trimmed.json().title, 'Spacious')

  const blank = await app.inject({ method: 'PUT', url: `/tasks/${task.id}`, payload: { title: '   ' } })
  t.equal(blank.statusCode, 422)
  t.same(blank.json().errors.map((error: { pointer: string }) => error.pointer), ['#/title'])
  t.same((await app.inject({ method: 'GET', url: `/tasks/${task.id}` })).json(), trimmed.json(), 'unchanged by the 422')
})

t.test('a PUT body that fails validation is a 422 naming the field, and changes nothing', async (t) => {
  const app = await build(t)
  const task = await createTask(app, full)
  const cases: Array<[Record<string, unknown>, string]> = [
    [{}, '#/title'],
    [{ description: 'no title' }, '#/title'],
    [{ title: null }, '#/title'],
    [{ title: 42 }, '#/title'],
    [{ title: 't'.repeat(201) }, '#/title'],
    [{ title: 'ok', status: 'finished' }, '#/status'],
    [{ title: 'ok', priority: '1' }, '#/priority'],
    [{ title: 'ok', priority: 6 }, '#/priority'],
    [{ title: 'ok', assignee: 12 }, '#/assignee'],
    [{ title: 'ok', description: 'd'.repeat(2001) }, '#/description'],
    [{ title: 'ok', id: 99 }, '#/id'],
    [{ title: 'ok', version: 7 }, '#/version'],
    [{ title: 'ok', priorty: 1 }, '#/priorty']
  ]
  for (const [payload, pointer] of cases) {
    const response = await app.inject({ method: 'PUT', url: `/tasks/${task.id}`, payload })
    const label = JSON.stringify(payload).slice(0, 60)
    t.equal(response.statusCode, 422, label)
    t.equal(response.json().type, 'https://example.com/errors/validation', label)
    t.same(response.json().errors.map((error: { pointer: string }) => error.pointer), [pointer], label)
  }
  const fetched = await app.inject({ method: 'GET', url: `/tasks/${task.id}` })
  t.same(fetched.json(), task, 'the task is unchanged')
})

t.test('an unknown field in a PUT is a 422 that names it', async (t) => {
  const app = await build(t)
  const task = await createTask(app, full)
  const response = await app.inject({ method: 'PUT', url: `/tasks/${task.id}`, payload: { title: 'ok', priorty: 1 } })
  t.equal(response.statusCode, 422)
  t.same(response.json().errors, [{ detail: 'is not a known field', pointer: '#/priorty' }])
  t.match(response.json().detail, /priorty/)
})

t.test('PUT of an unknown or deleted task is a 404 and does not create or restore it', async (t) => {
  const app = await build(t)
  const unknown = await app.inject({ method: 'PUT', url: '/tasks/777', payload: { title: 'x' } })
  t.equal(unknown.statusCode, 404)
  t.equal(unknown.json().type, 'https://example.com/errors/not-found')
  t.equal((await app.inject({ method: 'GET', url: '/tasks/777' })).statusCode, 404, 'PUT does not create')

  const task = await createTask(app, full)
  await app.inject({ method: 'DELETE', url: `/tasks/${task.id}` })
  const deleted = await app.inject({ method: 'PUT', url: `/tasks/${task.id}`, payload: { title: 'x' } })
  t.equal(deleted.statusCode, 404)
  const listed = await app.inject({ method: 'GET', url: '/tasks?include_deleted=true' })
  t.match(listed.json().items.find((item: { id: number }) => item.id === task.id), { title: 'Original', version: 2 }, 'the deleted task is untouched')
  t.not(listed.json().items.find((item: { id: number }) => item.id === task.id).deleted_at, null, 'and still deleted')
})

t.test('PUT with a task id that is not a positive integer is a 422 that names task_id', async (t) => {
  const app = await build(t)
  for (const id of ['abc', '0', '-3']) {
    const response = await app.inject({ method: 'PUT', url: `/tasks/${id}`, payload: { title: 'x' } })
    t.equal(response.statusCode, 422, id)
    t.same(response.json().errors.map((error: { parameter: string }) => error.parameter), ['task_id'], id)
  }
})

t.test('a PUT body that is not a JSON object is rejected without a change', async (t) => {
  const app = await build(t)
  const task = await createTask(app, full)
  const malformed = await app.inject({ method: 'PUT', url: `/tasks/${task.id}`, headers: { 'content-type': 'application/json' }, payload: '{title' })
  t.equal(malformed.statusCode, 400)
  const array = await app.inject({ method: 'PUT', url: `/tasks/${task.id}`, headers: { 'content-type': 'application/json' }, payload: '[]' })
  t.equal(array.statusCode, 422)
  t.same((await app.inject({ method: 'GET', url: `/tasks/${task.id}` })).json(), task)
})
