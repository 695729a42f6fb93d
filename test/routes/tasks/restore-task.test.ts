import t from 'tap'
import { build, createTask } from '../../helper.js'

t.test('POST /tasks/{task_id}/restore brings a deleted task back', async (t) => {
  const app = await build(t)
  const task = await createTask(app, { title: 'Phoenix', priority: 4 })
  await app.inject({ method: 'DELETE', url: `/tasks/${task.id}` })

  const response = await app.inject({ method: 'POST', url: `/tasks/${task.id}/restore` })
  t.equal(response.statusCode, 200)
  const restored = response.json()
  t.same(restored, { ...task, updated_at: restored.updated_at, version: 3 }, 'created, deleted, restored: version 3')
  t.equal(restored.deleted_at, null)
  t.ok(restored.updated_at > task.updated_at)

  t.same((await app.inject({ method: 'GET', url: `/tasks/${task.id}` })).json(), restored)
  t.equal((await app.inject({ method: 'GET', url: '/tasks' })).json().total, 1, 'listed again')
})

t.test('restoring a task that is not deleted changes nothing', async (t) => {
  const app = await build(t)
  const task = await createTask(app, { title: 'Alive' })
  const response = await app.inject({ method: 'POST', url: `/tasks/${task.id}/restore/` })
  t.equal(response.statusCode, 200)
  t.same(response.json(), task)
})

t.test('restoring an unknown task is a 404 problem', async (t) => {
  const app = await build(t)
  const response = await app.inject({ method: 'POST', url: '/tasks/31337/restore' })
  t.equal(response.statusCode, 404)
  t.equal(response.json().type, 'https://example.com/errors/not-found')
})
