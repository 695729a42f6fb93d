import t from 'tap'
import { build, TIMESTAMP } from '../../helper.js'

t.test('POST /tasks creates a task with defaults and answers 201 with its Location', async (t) => {
  const app = await build(t)
  const response = await app.inject({ method: 'POST', url: '/tasks', payload: { title: 'Write the report' } })
  t.equal(response.statusCode, 201)
  t.equal(response.headers['content-type'], 'application/json; charset=utf-8')
  const task = response.json()
  t.equal(response.headers.location, `/tasks/${task.id}`)
  t.match(task, {
    id: Number,
    title: 'Write the report',
    description: null,
    status: 'pending',
    priority: 2,
    assignee: null,
    notify_email: null,
    project: null,
    due_at: null,
    location: null,
    created_by: 'local',
    created_at: TIMESTAMP,
    updated_at: TIMESTAMP,
    deleted_at: null,
    version: 1
  })
  t.equal(task.updated_at, task.created_at)
  t.same(Object.keys(task).sort(), ['assignee', 'created_at', 'created_by', 'deleted_at', 'description', 'due_at', 'id', 'location', 'notify_email', 'priority', 'project', 'status', 'title', 'updated_at', 'version'])

  const fetched = await app.inject({ method: 'GET', url: response.headers.location as string })
  t.same(fetched.json(), task, 'the Location leads to the same task')
})

t.test('POST /tasks stores every field it accepts', async (t) => {
  const app = await build(t)
  const body = {
    title: 'Ship it',
    description: 'All of it',
    status: 'in_progress',
    priority: 5,
    assignee: 'ada',
    notify_email: 'ada@example.com',
    due_at: '2031-05-06T07:08:09.010Z',
    location: { name: 'Dock 4', latitude: 53.5461, longitude: 9.9661 }
  }
  const response = await app.inject({ method: 'POST', url: '/tasks', payload: body })
  t.equal(response.statusCode, 201)
  t.match(response.json(), body)
  t.same(response.json().location, body.location, 'the location whole')
})

t.test('POST /tasks/ with a trailing slash works the same', async (t) => {
  const app = await build(t)
  const response = await app.inject({ method: 'POST', url: '/tasks/', payload: { title: 'Slash' } })
  t.equal(response.statusCode, 201)
  t.equal(response.json().title, 'Slash')
})

t.test('POST /tasks assigns increasing ids', async (t) => {
  const app = await build(t)
  const first = (await app.inject({ method: 'POST', url: '/tasks', payload: { title: 'one' } })).json()
  const second = (await app.inject({ method: 'POST', url: '/tasks', payload: { title: 'two' } })).json()
  t.ok(second.id > first.id)
})

t.test('the title is trimmed and its length limits apply to the trimmed title', async (t) => {
  const app = await build(t)
  const trimmed = await app.inject({ method: 'POST', url: '/tasks', payload: { title: '  \tpadded \n' } })
  t.equal(trimmed.json().title, 'padded')

  const longest = 'x'.repeat(200)
  const padded = await app.inject({ method: 'POST', url: '/tasks', payload: { title: `  ${longest}  ` } })
  t.equal(padded.statusCode, 201, '200 characters with surrounding spaces is accepted')
  t.equal(padded.json().title, longest)

  for (const title of ['', '   ', 'x'.repeat(201)]) {
    const response = await app.inject({ method: 'POST', url: '/tasks', payload: { title } })
    t.equal(response.statusCode, 422, `title ${JSON.stringify(title.slice(0, 10))}… of length ${title.length}`)
    t.match(response.json().errors, [{ pointer: '#/title' }])
  }
})

t.test('the length limits of description and assignee hold', async (t) => {
  const app = await build(t)
  const atLimit = await app.inject({ method: 'POST', url: '/tasks', payload: { title: 't', description: 'd'.repeat(2000), assignee: 'a'.repeat(100) } })
  t.equal(atLimit.statusCode, 201)

  const overDescription = await app.inject({ method: 'POST', url: '/tasks', payload: { title: 't', description: 'd'.repeat(2001) } })
  t.equal(overDescription.statusCode, 422)
  t.same(overDescription.json().errors, [{ detail: 'must NOT have more than 2000 characters', pointer: '#/description' }])

  const overAssignee = await app.inject({ method: 'POST', url: '/tasks', payload: { title: 't', assignee: 'a'.repeat(101) } })
  t.equal(overAssignee.statusCode, 422)
  t.same(overAssignee.json().errors, [{ detail: 'must NOT have more than 100 characters', pointer: '#/assignee' }])
})

t.test('a field the schema does not know is a 422 that names it', async (t) => {
  const app = await build(t)
  const response = await app.inject({ method: 'POST', url: '/tasks', payload: { title: 'ok', priorty: 3 } })
  t.equal(response.statusCode, 422)
  t.same(response.json().errors, [{ detail: 'is not a known field', pointer: '#/priorty' }])
  t.match(response.json().detail, /priorty/)
})

t.test('bad values are 422 problems that point at each field, and nothing is written', async (t) => {
  const app = await build(t)
  const cases: Array<[Record<string, unknown>, string, RegExp]> = [
    [{}, '#/title', /required/],
    [{ title: 5 }, '#/title', /must be string/],
    [{ title: null }, '#/title', /must be string/],
    [{ title: 't', priority: 0 }, '#/priority', />= 1/],
    [{ title: 't', priority: 6 }, '#/priority', /<= 5/],
    [{ title: 't', priority: 2.5 }, '#/priority', /integer/],
    [{ title: 't', priority: '3' }, '#/priority', /integer/],
    [{ title: 't', status: 'later' }, '#/status', /must be one of: pending, in_progress, done, cancelled/],
    [{ title: 't', description: 7 }, '#/description', /must be string or null/],
    [{ title: 't', assignee: ['x'] }, '#/assignee', /must be string or null/]
  ]
  for (const [payload, pointer, detail] of cases) {
    const response = await app.inject({ method: 'POST', url: '/tasks', payload })
    t.equal(response.statusCode, 422, JSON.stringify(payload))
    const problem = response.json()
    t.equal(problem.type, 'https://example.com/errors/validation')
    t.equal(problem.errors.length, 1)
    t.equal(problem.errors[0].pointer, pointer)
    t.match(problem.errors[0].detail, detail)
  }
  const list = await app.inject({ method: 'GET', url: '/tasks' })
  t.equal(list.json().total, 0, 'no task was created')
})

t.test('every invalid field is reported at once', async (t) => {
  const app = await build(t)
  const response = await app.inject({ method: 'POST', url: '/tasks', payload: { title: '', priority: 9, extra: true } })
  t.equal(response.statusCode, 422)
  t.same(response.json().errors.map((error: { pointer: string }) => error.pointer).sort(), ['#/extra', '#/priority', '#/title'])
})

t.test('a body that is not a JSON object is a 4xx problem', async (t) => {
  const app = await build(t)
  for (const payload of ['[1,2]', '"title"', 'null', '42']) {
    const response = await app.inject({ method: 'POST', url: '/tasks', headers: { 'content-type': 'application/json' }, payload })
    t.equal(response.statusCode, 422, payload)
    t.same(response.json().errors, [{ detail: 'must be object', pointer: '#' }])
  }
  const malformed = await app.inject({ method: 'POST', url: '/tasks', headers: { 'content-type': 'application/json' }, payload: '{"title":' })
  t.equal(malformed.statusCode, 400)
  t.equal(malformed.json().type, 'https://example.com/errors/malformed-json')

  const empty = await app.inject({ method: 'POST', url: '/tasks', headers: { 'content-type': 'application/json' }, payload: '' })
  t.equal(empty.statusCode, 400)
  t.equal(empty.json().type, 'https://example.com/errors/bad-request')

  const missing = await app.inject({ method: 'POST', url: '/tasks' })
  t.equal(missing.statusCode, 422)

  const text = await app.inject({ method: 'POST', url: '/tasks', headers: { 'content-type': 'text/plain' }, payload: 'title' })
  t.equal(text.statusCode, 415)
  t.equal(text.json().type, 'https://example.com/errors/unsupported-media-type')

  const list = await app.inject({ method: 'GET', url: '/tasks' })
  t.equal(list.json().total, 0, 'no task was created')
})
