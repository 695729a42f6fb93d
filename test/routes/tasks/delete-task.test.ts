import t from 'tap'
import { build, createTask, TIMESTAMP } from '../../helper.js'

t.test('DELETE answers 204 with no body and hides the task', async (t) => {
  const app = await build(t)
  const task = await createTask(app, { title: 'Doomed' })
  const response = await app.inject({ method: 'DELETE', url: `/tasks/${task.id}` })
  t.equal(response.statusCode, 204)
  t.equal(response.body, '')
  t.equal(response.headers['content-length'], undefined)

  t.equal((await app.inject({ method: 'GET', url: `/tasks/${task.id}` })).statusCode, 404)
  t.equal((await app.inject({ method: 'PATCH', url: `/tasks/${task.id}`, payload: { title: 'x' } })).statusCode, 404)
  t.equal((await app.inject({ method: 'DELETE', url: `/tasks/${task.id}` })).statusCode, 404, 'a second DELETE is a 404')
})

t.test('a deleted task is listed only with include_deleted=true, with deleted_at set', async (t) => {
  const app = await build(t)
  const kept = await createTask(app, { title: 'Kept' })
  const doomed = await createTask(app, { title: 'Doomed' })
  await app.inject({ method: 'DELETE', url: `/tasks/${doomed.id}/` })

  const visible = (await app.inject({ method: 'GET', url: '/tasks' })).json()
  t.same(visible.items.map((task: { id: number }) => task.id), [kept.id])
  t.equal(visible.total, 1)

  const all = (await app.inject({ method: 'GET', url: '/tasks?include_deleted=true' })).json()
  t.equal(all.total, 2)
  const deleted = all.items.find((task: { id: number }) => task.id === doomed.id)
  t.match(deleted.deleted_at, TIMESTAMP)
  t.ok(deleted.updated_at >= deleted.deleted_at)
})

t.test('DELETE of an unknown task is a 404 problem', async (t) => {
  const app = await build(t)
  const response = await app.inject({ method: 'DELETE', url: '/tasks/4242' })
  t.equal(response.statusCode, 404)
  t.equal(response.json().detail, 'Task 4242 was not found.')
})
