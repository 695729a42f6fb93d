import t from 'tap'
import { build, createTask } from '../../helper.js'

t.test('GET /tasks/{task_id} returns the task, with or without a trailing slash', async (t) => {
  const app = await build(t)
  const task = await createTask(app, { title: 'Read me', description: 'Carefully' })
  for (const url of [`/tasks/${task.id}`, `/tasks/${task.id}/`]) {
    const response = await app.inject({ method: 'GET', url })
    t.equal(response.statusCode, 200, url)
    t.same(response.json(), task)
  }
})

t.test('HEAD /tasks/{task_id} answers like GET without a body', async (t) => {
  const app = await build(t)
  const task = await createTask(app, { title: 'Headless' })
  const response = await app.inject({ method: 'HEAD', url: `/tasks/${task.id}` })
  t.equal(response.statusCode, 200)
  t.equal(response.body, '')
})

t.test('GET /tasks/{task_id} of an unknown task is a 404 problem', async (t) => {
  const app = await build(t)
  const response = await app.inject({ method: 'GET', url: '/tasks/12345' })
  t.equal(response.statusCode, 404)
  t.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8')
  t.same(response.json(), {
    type: 'https://example.com/errors/not-found',
    title: 'Resource not found',
    status: 404,
    detail: 'Task 12345 was not found.',
    instance: '/tasks/12345'
  })
})

t.test('a task id that is not a positive integer is a 422 that names task_id', async (t) => {
  const app = await build(t)
  for (const id of ['abc', '0', '-1', '1.5', '99999999999999999999']) {
    const response = await app.inject({ method: 'GET', url: `/tasks/${id}` })
    t.equal(response.statusCode, 422, id)
    t.equal(response.json().type, 'https://example.com/errors/validation')
    t.same(response.json().errors.map((error: { parameter: string }) => error.parameter), ['task_id'])
  }
})
