import t from 'tap'
import { build, createTask } from '../../helper.js'

type App = Awaited<ReturnType<typeof build>>
interface Location { name: string | null, latitude: number, longitude: number }
interface Task { id: number, title: string, status: string, version: number, due_at: string | null, location: Location | null }
interface TaskList { items: Task[], total: number, has_more: boolean, next_cursor: string | null }

const HOUR = 3_600_000
// Far from now either way, so that "overdue" never depends on when the test runs.
const PAST = Date.parse('2020-03-01T09:00:00Z')
const FUTURE = Date.parse('2090-03-01T09:00:00Z')
const iso = (ms: number) => new Date(ms).toISOString()

async function list (app: App, query: string): Promise<TaskList> {
  const response = await app.inject({ method: 'GET', url: `/tasks?${query}` })
  t.equal(response.statusCode, 200, `GET /tasks?${query}: ${response.body.slice(0, 300)}`)
  return response.json()
}

async function count (app: App): Promise<number> {
  return (await list(app, 'include_deleted=true')).total
}

/** A raw JSON body, so that numbers JSON.stringify cannot write (1e400) reach the server. */
function send (app: App, method: 'POST' | 'PATCH' | 'PUT', url: string, body: string) {
  return app.inject({ method, url, headers: { 'content-type': 'application/json' }, payload: body })
}

t.test('a task keeps its due time and place, shown in UTC with milliseconds', async (t) => {
  const app = await build(t)
  const created = await createTask(app, {
    title: 'Site visit',
    due_at: '2026-12-24T17:30:00+01:00',
    location: { name: 'Warehouse 4', latitude: 52.52, longitude: -13.405 }
  })
  t.equal(created.due_at, '2026-12-24T16:30:00.000Z', 'the offset is applied')
  t.same(created.location, { name: 'Warehouse 4', latitude: 52.52, longitude: -13.405 })

  const read = (await app.inject({ method: 'GET', url: `/tasks/${created.id}` })).json()
  t.equal(read.due_at, '2026-12-24T16:30:00.000Z')
  t.same(read.location, created.location)

  const plain = await createTask(app, { title: 'Nowhere, no time' })
  t.equal(plain.due_at, null)
  t.equal(plain.location, null)

  const unnamed = await createTask(app, { title: 'A point', location: { latitude: -90, longitude: 180 } })
  t.same(unnamed.location, { name: null, latitude: -90, longitude: 180 }, 'the bounds are allowed; a point without a name shows name null')
  const edges = await createTask(app, { title: 'Edges', due_at: '0000-01-01T00:00:00Z', location: { latitude: 90, longitude: -180, name: null } })
  t.equal(edges.due_at, '0000-01-01T00:00:00.000Z', 'the earliest time the API shows')
  const last = await createTask(app, { title: 'Last', due_at: '9999-12-31T23:59:59.999Z' })
  t.equal(last.due_at, '9999-12-31T23:59:59.999Z', 'the latest')
  const leap = await createTask(app, { title: 'Leap second', due_at: '2016-12-31T23:59:60Z' })
  t.equal(leap.due_at, '2017-01-01T00:00:00.000Z', 'a leap second is the instant after :59')
})

t.test('PATCH sets, replaces and clears them; PUT returns them to null; a write that changes nothing keeps the version', async (t) => {
  const app = await build(t)
  const task = await createTask(app, { title: 'Deliver', due_at: iso(FUTURE), location: { name: 'Depot', latitude: 1.5, longitude: 2.5 } })
  const patch = async (body: unknown) => {
    const response = await app.inject({ method: 'PATCH', url: `/tasks/${task.id}`, payload: body as object })
    t.equal(response.statusCode, 200, response.body)
    return response.json() as Task
  }

  const same = await patch({ due_at: iso(FUTURE), location: { name: 'Depot', latitude: 1.5, longitude: 2.5 } })
  t.equal(same.version, task.version, 'the same values are no change')
  const sameInstant = await patch({ due_at: '2090-03-01T10:00:00+01:00' })
  t.equal(sameInstant.version, task.version, 'the same instant written with an offset is no change either')

  const moved = await patch({ location: { latitude: -33.86, longitude: 151.21 } })
  t.same(moved.location, { name: null, latitude: -33.86, longitude: 151.21 }, 'a location is replaced whole, its name too')
  t.equal(moved.due_at, iso(FUTURE), 'fields not sent are kept')
  t.equal(moved.version, task.version + 1)

  const cleared = await patch({ due_at: null, location: null })
  t.equal(cleared.due_at, null)
  t.equal(cleared.location, null)

  await patch({ due_at: iso(PAST), location: { name: 'Back', latitude: 0, longitude: 0 } })
  const replaced = await app.inject({ method: 'PUT', url: `/tasks/${task.id}`, payload: { title: 'Deliver' } })
  t.equal(replaced.statusCode, 200)
  t.match(replaced.json(), { due_at: null, location: null }, 'left out of a PUT, they return to null')
})

t.test('bad due times and places are 422 problems naming the field, and nothing is written', async (t) => {
  const app = await build(t)
  const task = await createTask(app, { title: 'Target', due_at: iso(FUTURE), location: { name: 'Here', latitude: 10, longitude: 20 } })
  const before = await count(app)

  const cases: Array<[string, string]> = [
    ['{"title":"x","location":{"latitude":90.0001,"longitude":0}}', '#/location/latitude'],
    ['{"title":"x","location":{"latitude":-91,"longitude":0}}', '#/location/latitude'],
    ['{"title":"x","location":{"latitude":0,"longitude":180.5}}', '#/location/longitude'],
    ['{"title":"x","location":{"latitude":0,"longitude":-181}}', '#/location/longitude'],
    ['{"title":"x","location":{"latitude":1e400,"longitude":0}}', '#/location/latitude'],
    ['{"title":"x","location":{"latitude":0,"longitude":-1e400}}', '#/location/longitude'],
    ['{"title":"x","location":{"latitude":"12.5","longitude":0}}', '#/location/latitude'],
    ['{"title":"x","location":{"latitude":null,"longitude":0}}', '#/location/latitude'],
    ['{"title":"x","location":{"longitude":0}}', '#/location/latitude'],
    ['{"title":"x","location":{"latitude":0}}', '#/location/longitude'],
    ['{"title":"x","location":{"latitude":0,"longitude":0,"altitude":3}}', '#/location/altitude'],
    ['{"title":"x","location":{"latitude":0,"longitude":0,"name":""}}', '#/location/name'],
    [`{"title":"x","location":{"latitude":0,"longitude":0,"name":"${'n'.repeat(201)}"}}`, '#/location/name'],
    ['{"title":"x","location":{"latitude":0,"longitude":0,"name":"a\\u0000b"}}', '#/location/name'],
    ['{"title":"x","location":"Berlin"}', '#/location'],
    ['{"title":"x","location":[1,2]}', '#/location'],
    ['{"title":"x","due_at":"tomorrow"}', '#/due_at'],
    ['{"title":"x","due_at":"2026-12-24"}', '#/due_at'],
    ['{"title":"x","due_at":"2026-02-30T10:00:00Z"}', '#/due_at'],
    ['{"title":"x","due_at":1767225600000}', '#/due_at'],
    ['{"title":"x","due_at":"2026-12-24T10:00:00+02"}', '#/due_at'],
    ['{"title":"x","due_at":"9999-12-31T23:00:00-05:00"}', '#/due_at'],
    ['{"title":"x","due_at":"0000-01-01T00:30:00+01:00"}', '#/due_at']
  ]
  for (const [body, pointer] of cases) {
    for (const [method, url, payload] of [
      ['POST', '/tasks', body],
      ['PUT', `/tasks/${task.id}`, body],
      ['PATCH', `/tasks/${task.id}`, body.replace('"title":"x",', '')]
    ] as const) {
      const response = await send(app, method, url, payload)
      t.equal(response.statusCode, 422, `${method} ${payload}`)
      t.match(response.headers['content-type'], /^application\/problem\+json/)
      t.ok(response.json().errors?.some((error: { pointer?: string }) => error.pointer === pointer), `${method} ${payload} names ${pointer}: ${response.body}`)
    }
  }
  t.equal(await count(app), before, 'no task was created')
  t.match((await app.inject({ method: 'GET', url: `/tasks/${task.id}` })).json(), {
    title: 'Target', due_at: iso(FUTURE), location: { name: 'Here', latitude: 10, longitude: 20 }, version: task.version
  }, 'the task is unchanged')
})

t.test('due_before, due_after and overdue filter; tasks without a due time match none of the ranges', async (t) => {
  const app = await build(t)
  const make = (title: string, dueAt: number | null, status = 'pending') =>
    createTask(app, { title, status, ...(dueAt === null ? {} : { due_at: iso(dueAt) }) })
  const late = await make('late', PAST)
  const lateStarted = await make('late, started', PAST + HOUR, 'in_progress')
  const lateDone = await make('late but done', PAST, 'done')
  const lateCancelled = await make('late but cancelled', PAST, 'cancelled')
  const soon = await make('due later', FUTURE)
  const never = await make('no due time', null)
  const ids = (page: TaskList) => page.items.map((task) => task.id).sort((a, b) => a - b)

  t.same(ids(await list(app, `due_before=${iso(PAST + HOUR)}`)), [late.id, lateDone.id, lateCancelled.id], 'before is strictly before')
  t.same(ids(await list(app, `due_after=${iso(PAST + HOUR)}`)), [lateStarted.id, soon.id], 'after is at or after')
  t.same(ids(await list(app, `due_after=${iso(PAST)}&due_before=${iso(FUTURE)}`)), [late.id, lateStarted.id, lateDone.id, lateCancelled.id], 'both: a half-open window')
  t.same(ids(await list(app, `due_before=${encodeURIComponent('2020-03-01T10:00:01+01:00')}`)), [late.id, lateDone.id, lateCancelled.id], 'an offset is applied')

  const overdue = await list(app, 'overdue=true')
  t.same(ids(overdue), [late.id, lateStarted.id], 'overdue: past due and still open')
  t.equal(overdue.total, 2)
  t.same(ids(await list(app, 'overdue=false')), [lateDone.id, lateCancelled.id, soon.id, never.id], 'not overdue: the others, those without a due time too')
  t.same(ids(await list(app, 'overdue=true&status=in_progress')), [lateStarted.id], 'with the other filters')
  t.same(ids(await list(app, 'overdue=true&sort_by=due_at&sort_order=desc')), [late.id, lateStarted.id], 'sorted by due time')
  t.equal((await list(app, `overdue=true&due_after=${iso(PAST + 1)}`)).total, 1)

  await app.inject({ method: 'DELETE', url: `/tasks/${late.id}` })
  t.same(ids(await list(app, 'overdue=true')), [lateStarted.id], 'a deleted task is left out')
  t.same(ids(await list(app, 'overdue=true&include_deleted=true')), [late.id, lateStarted.id], 'unless asked for')
})

t.test('bad filter values are 422 problems naming the parameter', async (t) => {
  const app = await build(t)
  for (const [query, parameter] of [
    ['due_before=yesterday', 'due_before'],
    ['due_after=2026-13-01T00:00:00Z', 'due_after'],
    ['due_after=2026-12-01T00:00:00%2B02', 'due_after'],
    ['due_before=', 'due_before'],
    ['overdue=maybe', 'overdue'],
    ['sort_by=due', 'sort_by']
  ] as Array<[string, string]>) {
    const response = await app.inject({ method: 'GET', url: `/tasks?${query}` })
    t.equal(response.statusCode, 422, query)
    t.ok(response.json().errors?.some((error: { parameter?: string }) => error.parameter === parameter), `${query} names ${parameter}: ${response.body}`)
  }
})

t.test('sort_by=due_at puts tasks without a due time last in both orders, and paging by cursor or offset agrees', async (t) => {
  const app = await build(t)
  // Ties on purpose: several tasks share each due time, and several have none.
  const dues = [FUTURE, PAST, null, FUTURE, PAST + HOUR, null, PAST, FUTURE + HOUR, null, PAST + HOUR, FUTURE, null, PAST]
  const tasks: Task[] = []
  for (const [index, due] of dues.entries()) {
    tasks.push(await createTask(app, { title: `Task ${index}`, priority: (index % 2) + 1, ...(due === null ? {} : { due_at: iso(due) }) }))
  }
  const dueOf = (task: Task) => task.due_at === null ? null : Date.parse(task.due_at)

  for (const order of ['asc', 'desc'] as const) {
    for (const filter of ['', '&priority=1', '&status=pending', '&status=pending&priority=2', `&due_before=${iso(FUTURE)}`, `&due_after=${iso(PAST + HOUR)}`]) {
      const query = `sort_by=due_at&sort_order=${order}${filter}`
      const all = (await list(app, `${query}&limit=100`)).items
      const direction = order === 'asc' ? 1 : -1
      const expected = tasks
        .filter((task) => all.some((shown) => shown.id === task.id))
        .sort((a, b) => {
          const [x, y] = [dueOf(a), dueOf(b)]
          if (x === null || y === null) return x === y ? direction * (a.id - b.id) : x === null ? 1 : -1
          return direction * (x - y || a.id - b.id)
        })
      t.same(all.map((task) => task.id), expected.map((task) => task.id), `${query}: due order, ties by id, no due time last`)

      const byCursor: number[] = []
      let cursor: string | null = null
      do {
        const page: TaskList = await list(app, `${query}&limit=2${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`)
        byCursor.push(...page.items.map((task) => task.id))
        t.equal(page.total, all.length, `${query}: the total on every page`)
        cursor = page.next_cursor
      } while (cursor !== null)
      t.same(byCursor, all.map((task) => task.id), `${query}: cursor pages, across the tasks without a due time too`)

      const byOffset: number[] = []
      for (let offset = 0; offset < all.length; offset += 3) byOffset.push(...(await list(app, `${query}&limit=3&offset=${offset}`)).items.map((task) => task.id))
      t.same(byOffset, all.map((task) => task.id), `${query}: offset pages`)
    }
  }
  const filtered = await list(app, `sort_by=due_at&due_before=${iso(FUTURE)}&due_after=${iso(PAST + 1)}`)
  t.equal(filtered.total, 2, 'a window sorted by due time counts only the tasks in it')

  const cursor = (await list(app, 'sort_by=due_at&limit=1')).next_cursor as string
  const reused = await app.inject({ method: 'GET', url: `/tasks?sort_by=due_at&overdue=true&cursor=${encodeURIComponent(cursor)}` })
  t.equal(reused.statusCode, 422, 'a cursor is bound to its filters')
  t.equal(reused.json().errors[0].parameter, 'cursor')
})

t.test('a task changed with a due time and place keeps them through delete and restore', async (t) => {
  const app = await build(t)
  const task = await createTask(app, { title: 'Keep', due_at: iso(FUTURE), location: { name: 'Dock', latitude: 3, longitude: 4 } })
  t.equal((await app.inject({ method: 'DELETE', url: `/tasks/${task.id}` })).statusCode, 204)
  const restored = await app.inject({ method: 'POST', url: `/tasks/${task.id}/restore` })
  t.match(restored.json(), { due_at: iso(FUTURE), location: { name: 'Dock', latitude: 3, longitude: 4 } })
})
