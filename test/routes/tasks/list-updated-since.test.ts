import { setTimeout as sleep } from 'node:timers/promises'
import t, { type Test } from 'tap'
import { build, createTask } from '../../helper.js'

type App = Awaited<ReturnType<typeof build>>
interface Task { id: number, title: string, priority: number, status: string, updated_at: string, deleted_at: string | null }
interface Page { items: Task[], total: number, has_more: boolean, next_cursor: string | null }

async function list (t: Test, app: App, query: string) {
  const response = await app.inject({ method: 'GET', url: `/tasks?${query}` })
  t.equal(response.statusCode, 200, `GET /tasks?${query}`)
  return response.json() as Page
}

const ids = (page: Page) => page.items.map((task) => task.id)

/** The current time as the API writes it, strictly after every change so far and before every later one. */
async function mark (): Promise<string> {
  await sleep(5)
  const now = new Date().toISOString()
  await sleep(5)
  return now
}

const since = (time: string) => `updated_since=${encodeURIComponent(time)}`

t.test('updated_since lists only the tasks changed at or after it, and total counts exactly those', async (t) => {
  const app = await build(t)
  const a = await createTask(app, { title: 'a' })
  const b = await createTask(app, { title: 'b' })
  await createTask(app, { title: 'c' })
  const before = await mark()
  const patched = await app.inject({ method: 'PATCH', url: `/tasks/${a.id}`, payload: { status: 'done' } })
  t.equal(patched.statusCode, 200)
  const d = await createTask(app, { title: 'd' })
  const noop = await app.inject({ method: 'PATCH', url: `/tasks/${b.id}`, payload: { title: 'b' } })
  t.equal(noop.json().updated_at, b.updated_at, 'a PATCH that changes nothing moves nothing')

  const changed = await list(t, app, `${since(before)}&sort_order=asc`)
  t.same(ids(changed), [a.id, d.id], 'the changed task and the new one')
  t.equal(changed.total, 2)
  t.equal(changed.has_more, false)
  t.same(changed.items.find((task) => task.id === a.id), patched.json(), 'listed as it is now')

  t.equal((await list(t, app, since('2000-01-01T00:00:00Z'))).total, 4, 'a time before everything lists everything')
  t.match(await list(t, app, since('2999-01-01T00:00:00Z')), { items: [], total: 0, has_more: false, next_cursor: null }, 'a time after everything lists nothing')
  t.equal((await list(t, app, `${since(before)}&limit=1`)).total, 2, 'total counts past the page')
})

t.test('updated_since includes a task changed at exactly that millisecond, in any offset and precision', async (t) => {
  const app = await build(t)
  await createTask(app, { title: 'older' })
  await sleep(5)
  const task = await createTask(app, { title: 'boundary' })
  const at = Date.parse(task.updated_at)

  t.same(ids(await list(t, app, since(task.updated_at))), [task.id], 'at exactly updated_at')
  t.same(ids(await list(t, app, since(new Date(at + 1).toISOString()))), [], 'one millisecond later')
  t.same(ids(await list(t, app, since(new Date(at - 1).toISOString()))), [task.id], 'one millisecond earlier')

  // The same instant written other ways RFC 3339 allows.
  const local = new Date(at + 2 * 3600_000).toISOString().replace('Z', '+02:00')
  t.same(ids(await list(t, app, since(local))), [task.id], `with an offset: ${local}`)
  const western = new Date(at - 5.5 * 3600_000).toISOString().replace('Z', '-05:30')
  t.same(ids(await list(t, app, since(western))), [task.id], `with a negative offset: ${western}`)
  const seconds = new Date(Math.floor(at / 1000) * 1000).toISOString().replace('.000Z', 'Z')
  t.ok((await list(t, app, since(seconds))).total >= 1, 'without fractional seconds')
})

t.test('updated_since combines with status, priority, q and paging, and total is exact', async (t) => {
  const app = await build(t)
  const tasks: Task[] = []
  for (let i = 0; i < 30; i++) {
    tasks.push(await createTask(app, { title: i % 2 === 0 ? `report ${i}` : `memo ${i}`, status: i % 3 === 0 ? 'done' : 'pending', priority: (i % 4) + 1 }))
  }
  const before = await mark()
  const touched = tasks.filter((_, i) => i % 5 !== 0)
  for (const task of touched) {
    const response = await app.inject({ method: 'PATCH', url: `/tasks/${task.id}`, payload: { assignee: 'bob' } })
    t.equal(response.statusCode, 200)
  }

  const cases: Array<[string, (task: Task) => boolean]> = [
    ['', () => true],
    ['status=pending', (task) => task.status === 'pending'],
    ['priority=2', (task) => task.priority === 2],
    ['q=report', (task) => task.title.startsWith('report')],
    ['q=me', (task) => task.title.startsWith('memo')],
    ['status=done&priority=1&q=rep', (task) => task.status === 'done' && task.priority === 1 && task.title.startsWith('report')]
  ]
  for (const [filter, matches] of cases) {
    const expected = touched.filter(matches).map((task) => task.id).sort((x, y) => x - y)
    const page = await list(t, app, `${filter}&${since(before)}&sort_order=asc&limit=3`)
    t.equal(page.total, expected.length, `${filter || 'no filter'}: total`)
    t.same(ids(page), expected.slice(0, 3), `${filter || 'no filter'}: first page`)
    t.equal(page.has_more, expected.length > 3)
    const all = await list(t, app, `${filter}&${since(before)}&sort_order=asc&limit=100`)
    t.same(ids(all), expected, `${filter || 'no filter'}: every match`)
  }
})

t.test('with include_deleted=true a task deleted since shows up with deleted_at set; one deleted before does not', async (t) => {
  const app = await build(t)
  const deletedEarly = await createTask(app, { title: 'deleted early' })
  const deletedLate = await createTask(app, { title: 'deleted late' })
  const restored = await createTask(app, { title: 'restored late' })
  const untouched = await createTask(app, { title: 'untouched' })
  t.equal((await app.inject({ method: 'DELETE', url: `/tasks/${deletedEarly.id}` })).statusCode, 204)
  t.equal((await app.inject({ method: 'DELETE', url: `/tasks/${restored.id}` })).statusCode, 204)
  const before = await mark()
  t.equal((await app.inject({ method: 'DELETE', url: `/tasks/${deletedLate.id}` })).statusCode, 204)
  t.equal((await app.inject({ method: 'POST', url: `/tasks/${restored.id}/restore` })).statusCode, 200)

  const withDeleted = await list(t, app, `${since(before)}&include_deleted=true&sort_order=asc`)
  t.same(ids(withDeleted), [deletedLate.id, restored.id])
  t.equal(withDeleted.total, 2)
  const [late, back] = withDeleted.items
  t.ok(late?.deleted_at !== null && late?.deleted_at !== undefined && late.deleted_at >= before, 'deleted_at is set, after updated_since')
  t.equal(late?.updated_at, late?.deleted_at, 'deleting moved updated_at')
  t.equal(back?.deleted_at, null, 'the restored task is live')

  const live = await list(t, app, since(before))
  t.same(ids(live), [restored.id], 'without include_deleted the deleted task stays out')
  t.equal(live.total, 1)
  const everything = await list(t, app, `${since('2000-01-01T00:00:00Z')}&include_deleted=true&sort_order=asc`)
  t.same(ids(everything), [deletedEarly.id, deletedLate.id, restored.id, untouched.id], 'an earlier time lists the early deletion too')
  t.equal(everything.total, 4)
})

t.test('an invalid updated_since is a 422 problem naming it', async (t) => {
  const app = await build(t)
  const values = [
    'yesterday',
    '',
    '2026-01-01',
    '2026-01-01T00:00:00',
    '2026-13-01T00:00:00Z',
    '2026-02-30T00:00:00Z',
    '2026-01-01T24:00:01Z',
    '2026-01-01T00:00:00+25:00',
    '1767225600000',
    '2026-01-01T00:00:00Z trailing',
    // The date-time format lets an offset without minutes through; no clock reads it.
    '2026-01-01T08:00:00+02'
  ]
  for (const value of values) {
    const response = await app.inject({ method: 'GET', url: `/tasks?${since(value)}` })
    t.equal(response.statusCode, 422, JSON.stringify(value))
    const problem = response.json()
    t.equal(problem.type, 'https://example.com/errors/validation')
    t.same(problem.errors.map((error: { parameter: string }) => error.parameter), ['updated_since'], `${JSON.stringify(value)}: names updated_since`)
  }
  // An offset's '+' sent unencoded is a space in a query string: not a time.
  const unencoded = await app.inject({ method: 'GET', url: '/tasks?updated_since=2026-01-01T00:00:00+02:00' })
  t.equal(unencoded.statusCode, 422, 'an unencoded + offset')
  const twice = await app.inject({ method: 'GET', url: `/tasks?${since('2026-01-01T00:00:00Z')}&${since('2026-01-01T00:00:00Z')}` })
  t.equal(twice.statusCode, 422, 'given twice')
})

t.test('a leap second (23:59:60, valid RFC 3339) is read as the instant after it', async (t) => {
  const app = await build(t)
  await createTask(app, { title: 'recent' })
  const response = await app.inject({ method: 'GET', url: `/tasks?${since('2016-12-31T23:59:60Z')}` })
  t.equal(response.statusCode, 200)
  t.equal(response.json().total, 1, 'the task changed after 2017-01-01 is listed')
  const future = await app.inject({ method: 'GET', url: `/tasks?${since('9998-12-31T23:59:60Z')}` })
  t.equal(future.json().total, 0, 'and nothing changed after a future one')
})

t.test('updated_since works with cursor paging, and a cursor is bound to its updated_since', async (t) => {
  const app = await build(t)
  const tasks: Task[] = []
  for (let i = 0; i < 40; i++) tasks.push(await createTask(app, { title: ['x', 'y', 'z'][i % 3], priority: (i % 3) + 1 }))
  const before = await mark()
  for (const task of tasks.filter((_, i) => i % 3 !== 1)) {
    t.equal((await app.inject({ method: 'PATCH', url: `/tasks/${task.id}`, payload: { status: 'in_progress' } })).statusCode, 200)
  }
  for (const task of tasks.filter((_, i) => i % 7 === 0)) {
    t.equal((await app.inject({ method: 'DELETE', url: `/tasks/${task.id}` })).statusCode, 204)
  }

  for (const query of [
    `${since(before)}`,
    `${since(before)}&sort_by=title&sort_order=asc`,
    `${since(before)}&sort_by=priority&sort_order=desc&include_deleted=true`,
    `${since(before)}&sort_by=created_at&sort_order=asc&q=z&include_deleted=true`
  ]) {
    const reference = await list(t, app, `${query}&limit=100`)
    t.ok(reference.total > 4, `${query}: several pages`)
    const seen: number[] = []
    let cursor: string | null = null
    let pages = 0
    do {
      const page: Page = await list(t, app, `${query}&limit=4${cursor === null ? '' : `&cursor=${cursor}`}`)
      seen.push(...ids(page))
      t.equal(page.total, reference.total, `${query}: total on every page`)
      t.ok(page.items.every((task) => task.updated_at >= before), `${query}: only tasks changed since`)
      cursor = page.next_cursor
      pages++
    } while (cursor !== null && pages < 30)
    t.same(seen, ids(reference), `${query}: each match once, in order`)
  }

  const first = await list(t, app, `${since(before)}&limit=4`)
  const moved = await app.inject({ method: 'GET', url: `/tasks?${since('2000-01-01T00:00:00Z')}&limit=4&cursor=${first.next_cursor}` })
  t.equal(moved.statusCode, 422, 'another updated_since')
  t.same(moved.json().errors.map((error: { parameter: string }) => error.parameter), ['cursor'])
  const dropped = await app.inject({ method: 'GET', url: `/tasks?limit=4&cursor=${first.next_cursor}` })
  t.equal(dropped.statusCode, 422, 'updated_since left out')
  t.same(dropped.json().errors.map((error: { parameter: string }) => error.parameter), ['cursor'])
})
