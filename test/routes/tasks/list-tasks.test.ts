import t from 'tap'
import { build, createTask } from '../../helper.js'

type App = Awaited<ReturnType<typeof build>>
interface Task { id: number, title: string, priority: number, status: string, description: string | null, due_at: string | null }

async function list (app: App, query = '') {
  const response = await app.inject({ method: 'GET', url: `/tasks${query}` })
  t.equal(response.statusCode, 200, `GET /tasks${query}`)
  return response.json() as { items: Task[], total: number, limit: number, offset: number, has_more: boolean }
}

async function seed (app: App, count: number, body: (i: number) => Record<string, unknown>) {
  const tasks: Task[] = []
  for (let i = 0; i < count; i++) tasks.push(await createTask(app, body(i)))
  return tasks
}

t.test('an empty list has the full shape', async (t) => {
  const app = await build(t)
  t.same(await list(app), { items: [], total: 0, limit: 20, offset: 0, has_more: false, next_cursor: null })
  t.same(await list(app, '/'), { items: [], total: 0, limit: 20, offset: 0, has_more: false, next_cursor: null }, 'with a trailing slash')
})

t.test('pages cover every task once, with has_more and total right at each boundary', async (t) => {
  const app = await build(t)
  const tasks = await seed(app, 25, (i) => ({ title: `Task ${i}` }))

  const first = await list(app)
  t.equal(first.items.length, 20)
  t.same(first.items.map((task) => task.id), tasks.slice(5).reverse().map((task) => task.id), 'newest first by default')
  t.match(first, { total: 25, limit: 20, offset: 0, has_more: true })

  const second = await list(app, '?offset=20')
  t.same(second.items.map((task) => task.id), tasks.slice(0, 5).reverse().map((task) => task.id))
  t.match(second, { total: 25, offset: 20, has_more: false })

  t.match(await list(app, '?limit=5&offset=20'), { has_more: false, total: 25 }, 'the last page exactly')
  t.match(await list(app, '?limit=5&offset=19'), { has_more: true }, 'one before the end')
  t.match(await list(app, '?offset=25'), { items: [], total: 25, has_more: false }, 'just past the end')
  t.match(await list(app, '?offset=1000'), { items: [], total: 25, has_more: false }, 'far past the end')
  t.equal((await list(app, '?limit=1')).items.length, 1, 'the smallest page')
  t.equal((await list(app, '?limit=100')).items.length, 25, 'the largest page')
})

t.test('ties are broken by id in the sort direction, so paging never skips or repeats', async (t) => {
  const app = await build(t)
  // Few distinct priorities, titles and due times: most tasks tie with others.
  const tasks = await seed(app, 23, (i) => ({ title: ['b', 'a', 'c'][i % 3], priority: (i % 2) + 2, due_at: ['2091-01-01T00:00:00Z', null, '2001-01-01T00:00:00Z', null][i % 4] }))
  for (const sortBy of ['created_at', 'priority', 'title', 'due_at']) {
    for (const order of ['asc', 'desc']) {
      const seen: number[] = []
      for (let offset = 0; offset < 23; offset += 4) {
        const page = await list(app, `?sort_by=${sortBy}&sort_order=${order}&limit=4&offset=${offset}`)
        seen.push(...page.items.map((task) => task.id))
      }
      t.same([...seen].sort((a, b) => a - b), tasks.map((task) => task.id), `${sortBy} ${order}: each task exactly once`)

      const all = (await list(app, `?sort_by=${sortBy}&sort_order=${order}&limit=100`)).items
      t.same(all.map((task) => task.id), seen, `${sortBy} ${order}: pages agree with one big page`)
      const key = (task: Task) => sortBy === 'title' ? task.title : sortBy === 'priority' ? task.priority : sortBy === 'due_at' ? task.due_at ?? '' : 0
      const expected = [...all].sort((a, b) => {
        // Without a due time, last in both orders.
        if (sortBy === 'due_at' && (a.due_at === null) !== (b.due_at === null)) return a.due_at === null ? 1 : -1
        const byKey = key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.id - b.id
        return order === 'asc' ? byKey : -byKey
      })
      t.same(all.map((task) => task.id), expected.map((task) => task.id), `${sortBy} ${order}: sorted, ties by id ${order}`)
    }
  }
})

t.test('status and priority filter, alone and together with sorting', async (t) => {
  const app = await build(t)
  const statuses = ['pending', 'in_progress', 'done', 'cancelled']
  const tasks = await seed(app, 20, (i) => ({ title: `T${String(i).padStart(2, '0')}`, status: statuses[i % 4], priority: (i % 5) + 1 }))

  const done = await list(app, '?status=done')
  t.equal(done.total, 5)
  t.ok(done.items.every((task) => task.status === 'done'))

  const urgent = await list(app, '?priority=1')
  t.equal(urgent.total, 4)
  t.ok(urgent.items.every((task) => task.priority === 1))

  const both = await list(app, '?status=pending&priority=1&sort_by=title&sort_order=asc')
  const expected = tasks.filter((task) => task.status === 'pending' && task.priority === 1).map((task) => task.title).sort()
  t.same(both.items.map((task) => task.title), expected)
  t.equal(both.total, expected.length)

  t.match(await list(app, '?status=cancelled&priority=2'), { total: 1 }, 'each combination occurs once in 20 tasks')
  t.match(await list(app, '?status=cancelled&priority=2&q=T00'), { total: 0, items: [] }, 'a combination nothing matches')
})

t.test('include_deleted adds soft-deleted tasks to every filter', async (t) => {
  const app = await build(t)
  const tasks = await seed(app, 6, (i) => ({ title: `T${i}`, status: i % 2 === 0 ? 'done' : 'pending' }))
  for (const task of tasks.slice(0, 3)) await app.inject({ method: 'DELETE', url: `/tasks/${task.id}` })

  t.equal((await list(app)).total, 3)
  t.equal((await list(app, '?include_deleted=false')).total, 3)
  t.equal((await list(app, '?include_deleted=true')).total, 6)
  t.equal((await list(app, '?status=done')).total, 1)
  t.equal((await list(app, '?status=done&include_deleted=true')).total, 3)
})

t.test('q matches title or description as a case-insensitive substring', async (t) => {
  const app = await build(t)
  await createTask(app, { title: 'Buy MILK', description: null })
  await createTask(app, { title: 'Call mom', description: 'about the milkshake' })
  await createTask(app, { title: 'Walk the dog', description: 'Evening' })

  const milk = await list(app, '?q=milk&sort_order=asc')
  t.same(milk.items.map((task) => task.title), ['Buy MILK', 'Call mom'])
  t.equal(milk.total, 2)
  t.equal((await list(app, '?q=EVEN')).total, 1, 'matches in the description')
  t.equal((await list(app, '?q=mom%20about')).total, 0, 'a substring spanning title and description does not count')
  t.equal((await list(app, '?q=alk%20the')).total, 1, 'a substring with a space')
  t.equal((await list(app, '?q=')).total, 3, 'an empty q matches everything')
})

t.test('q treats %, _ and \\ as literal characters', async (t) => {
  const app = await build(t)
  await createTask(app, { title: '100% done' })
  await createTask(app, { title: '1000 done' })
  await createTask(app, { title: 'snake_case' })
  await createTask(app, { title: 'snakeXcase' })
  await createTask(app, { title: 'C:\\temp' })
  await createTask(app, { title: 'C:temp' })

  t.same((await list(app, `?q=${encodeURIComponent('0%')}`)).items.map((task) => task.title), ['100% done'])
  t.same((await list(app, `?q=${encodeURIComponent('e_c')}`)).items.map((task) => task.title), ['snake_case'])
  t.same((await list(app, `?q=${encodeURIComponent(':\\t')}`)).items.map((task) => task.title), ['C:\\temp'])
  t.equal((await list(app, `?q=${encodeURIComponent('%')}`)).total, 1)
  t.equal((await list(app, `?q=${encodeURIComponent('_')}`)).total, 1)
})

t.test('q combines with status, priority, include_deleted, sorting and paging', async (t) => {
  const app = await build(t)
  const tasks = await seed(app, 12, (i) => ({
    title: i % 2 === 0 ? `report ${i}` : `other ${i}`,
    status: i % 3 === 0 ? 'done' : 'pending',
    priority: (i % 4) + 1
  }))
  await app.inject({ method: 'DELETE', url: `/tasks/${tasks[0]?.id}` })

  const matching = tasks.slice(1).filter((task) => task.title.startsWith('report') && task.status === 'pending')
  const result = await list(app, '?q=REPORT&status=pending&sort_by=priority&sort_order=asc&limit=2')
  t.equal(result.total, matching.length)
  t.equal(result.has_more, matching.length > 2)
  t.ok(result.items.every((task) => task.title.startsWith('report') && task.status === 'pending'))

  t.equal((await list(app, '?q=report&status=done')).total, 1, 'the deleted match is left out')
  t.equal((await list(app, '?q=report&status=done&include_deleted=true')).total, 2)
  t.equal((await list(app, '?q=report&priority=1')).total, tasks.filter((task) => task.title.startsWith('report') && task.priority === 1).length - 1)
})

t.test('every invalid parameter is a 422 problem that names it', async (t) => {
  const app = await build(t)
  const cases: Array<[string, string]> = [
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=abc', 'limit'],
    ['limit=1.5', 'limit'],
    ['offset=-1', 'offset'],
    ['offset=x', 'offset'],
    ['status=finished', 'status'],
    ['priority=0', 'priority'],
    ['priority=6', 'priority'],
    ['sort_by=due_date', 'sort_by'],
    ['sort_order=up', 'sort_order'],
    ['include_deleted=maybe', 'include_deleted'],
    ['limit=1&limit=2', 'limit'],
    ['q=' + 'x'.repeat(2001), 'q'],
    ['q=a%00bc', 'q'],
    ['q=%00', 'q'],
    ['sortby=title', 'sortby']
  ]
  for (const [query, parameter] of cases) {
    const response = await app.inject({ method: 'GET', url: `/tasks?${query}` })
    t.equal(response.statusCode, 422, query.slice(0, 40))
    const problem = response.json()
    t.equal(problem.type, 'https://example.com/errors/validation')
    t.equal(problem.instance, '/tasks')
    t.same(problem.errors.map((error: { parameter: string }) => error.parameter), [parameter])
    t.match(problem.detail, parameter)
  }
  const unknown = await app.inject({ method: 'GET', url: '/tasks?sortby=title' })
  t.same(unknown.json().errors, [{ detail: 'is not a known parameter', parameter: 'sortby' }])
})
