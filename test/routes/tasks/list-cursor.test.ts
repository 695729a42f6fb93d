import t, { type Test } from 'tap'
import { createHash } from 'node:crypto'
import { build, createTask } from '../../helper.js'

type App = Awaited<ReturnType<typeof build>>
interface Task { id: number, title: string, priority: number, status: string, description: string | null, due_at: string | null, deleted_at: string | null }
interface Page { items: Task[], total: number, limit: number, offset: number, has_more: boolean, next_cursor: string | null }

async function get (app: App, url: string) {
  const response = await app.inject({ method: 'GET', url })
  return { response, page: response.json() as Page }
}

async function list (t: Test, app: App, url: string) {
  const { response, page } = await get(app, url)
  t.equal(response.statusCode, 200, `GET ${url.slice(0, 80)}`)
  return { page, link: response.headers.link as string | undefined }
}

/** The URL of a `<URL>; rel="next"` link header. */
function nextLink (header: string | undefined): string | undefined {
  if (header === undefined) return undefined
  const match = /^<([^>]+)>; rel="next"$/.exec(header)
  if (match?.[1] === undefined) throw new Error(`not a next link: ${header}`)
  return match[1]
}

async function expectInvalidCursor (t: Test, app: App, url: string, name: string) {
  const response = await app.inject({ method: 'GET', url })
  t.equal(response.statusCode, 422, name)
  const problem = response.json()
  t.equal(problem.type, 'https://example.com/errors/validation', name)
  // An empty cursor breaks two rules (length and pattern): each is reported, both naming cursor.
  t.same([...new Set(problem.errors.map((error: { parameter: string }) => error.parameter))], ['cursor'], `${name}: names cursor, and only cursor`)
  t.match(problem.detail, 'cursor', name)
}

// Due times years from now (so which tasks are overdue never depends on the
// day), few of them, and none for some tasks.
const DUE_TIMES = ['2010-05-01T08:00:00.000Z', null, '2095-05-01T08:00:00.000Z', '2010-05-01T08:00:00.000Z', null, '2030-01-01T00:00:00+01:00', null]

/** 60 tasks with few distinct titles, priorities and due times, so many tie on the sort value; some deleted. */
async function seedVaried (t: Test, app: App) {
  const titles = ['alpha', 'Beta', 'gamma', 'alpha', 'delta report', 'beta']
  const statuses = ['pending', 'in_progress', 'done', 'pending', 'cancelled']
  const tasks: Task[] = []
  for (let i = 0; i < 60; i++) {
    tasks.push(await createTask(app, {
      title: `${titles[i % titles.length]}${i % 7 === 0 ? '' : ` ${i % 4}`}`,
      description: i % 5 === 0 ? 'the quarterly report' : null,
      status: statuses[i % statuses.length],
      priority: [1, 3, 3, 5, 2][(i * 7) % 5],
      due_at: DUE_TIMES[i % DUE_TIMES.length]
    }))
  }
  for (const task of tasks.filter((_, i) => i % 9 === 4)) {
    t.equal((await app.inject({ method: 'DELETE', url: `/tasks/${task.id}` })).statusCode, 204)
  }
  return tasks
}

const FILTERS = [
  '', 'status=pending', 'priority=3', 'q=report', 'q=al', 'include_deleted=true', 'status=done&include_deleted=true&q=a',
  'overdue=true', 'overdue=false&q=a', 'due_after=2010-05-01T08:00:00Z&due_before=2095-05-01T08:00:00Z'
]
const SORTS = ['created_at', 'priority', 'title', 'due_at'].flatMap((sortBy) => ['asc', 'desc'].map((order) => `sort_by=${sortBy}&sort_order=${order}`))

t.test('following next_cursor visits every matching task exactly once, in the order of one big page, for every sort and filter', async (t) => {
  const app = await build(t)
  await seedVaried(t, app)

  for (const filter of FILTERS) {
    for (const sort of SORTS) {
      const query = [filter, sort].filter((part) => part !== '').join('&')
      const { page: reference } = await list(t, app, `/tasks?${query}&limit=100`)
      t.ok(reference.total > 0 && reference.total === reference.items.length, `${query}: the reference holds every match`)

      const seen: number[] = []
      let url = `/tasks?${query}&limit=7`
      let pages = 0
      for (;;) {
        const { page } = await list(t, app, url)
        pages++
        seen.push(...page.items.map((task) => task.id))
        t.equal(page.total, reference.total, `${query} page ${pages}: total counts every match`)
        t.equal(page.has_more, page.next_cursor !== null, `${query} page ${pages}: has_more agrees with next_cursor`)
        if (page.next_cursor === null) break
        t.equal(page.items.length, 7, `${query} page ${pages}: a full page before the last`)
        url = `/tasks?${query}&limit=7&cursor=${page.next_cursor}`
        if (pages > 20) break
      }
      t.equal(pages, Math.ceil(reference.total / 7), `${query}: as many pages as offset paging`)
      t.same(seen, reference.items.map((task) => task.id), `${query}: each task once, in order`)
    }
  }
})

t.test('the link header points at the next page, keeping every other parameter, and is absent on the last page', async (t) => {
  const app = await build(t)
  await seedVaried(t, app)
  const start = '/tasks?q=a%20&sort_by=title&sort_order=asc&include_deleted=true&limit=4'
  const { page: reference } = await list(t, app, '/tasks?q=a%20&sort_by=title&sort_order=asc&include_deleted=true&limit=100')
  t.ok(reference.total > 8, 'enough matches for several pages')
  const expectedIds = reference.items.map((task) => task.id)
  const expectedParameters = { q: 'a ', sort_by: 'title', sort_order: 'asc', include_deleted: 'true', limit: '4' }

  const parameters = (url: string) => {
    const search = new URL(url, 'http://localhost').searchParams
    t.equal(search.getAll('q').length, 1, 'each parameter once')
    return Object.fromEntries(search)
  }

  // Offset mode: the link moves offset on.
  const offsetIds: number[] = []
  let url: string | undefined = start
  let offset = 0
  while (url !== undefined) {
    const { page, link } = await list(t, app, url)
    offsetIds.push(...page.items.map((task) => task.id))
    url = nextLink(link)
    t.equal(url === undefined, !page.has_more, 'a link exactly when there is a next page')
    if (url !== undefined) {
      offset += 4
      t.match(url, /^\/tasks\?/, 'the same path')
      t.same(parameters(url), { ...expectedParameters, offset: String(offset) })
    }
  }
  t.same(offsetIds, expectedIds, 'following offset links visits every task once, in order')

  // Cursor mode: from a page read by cursor, the link carries the next cursor and no offset.
  const first = await list(t, app, start)
  const cursorIds = [...first.page.items.map((task) => task.id)]
  url = `${start}&cursor=${first.page.next_cursor}`
  let links = 0
  while (url !== undefined) {
    const { page, link } = await list(t, app, url)
    cursorIds.push(...page.items.map((task) => task.id))
    url = nextLink(link)
    if (url !== undefined) {
      links++
      t.same(parameters(url), { ...expectedParameters, cursor: page.next_cursor }, 'the link carries next_cursor and the other parameters')
    } else {
      t.equal(page.next_cursor, null, 'no link on the last page')
    }
  }
  t.ok(links > 0, 'some cursor links were followed')
  t.same(cursorIds, expectedIds, 'following cursor links visits every task once, in order')

  const trailing = await list(t, app, '/tasks/?limit=2&status=pending')
  t.match(nextLink(trailing.link), /^\/tasks\/\?/, 'the link keeps the path as asked')
  const last = await list(t, app, '/tasks?limit=100')
  t.equal(last.link, undefined, 'a single page has no link')
  t.equal(last.page.next_cursor, null)
  t.equal(last.page.has_more, false)
})

t.test('an empty list has next_cursor null and no link', async (t) => {
  const app = await build(t)
  const { response, page } = await get(app, '/tasks')
  t.same(page, { items: [], total: 0, limit: 20, offset: 0, has_more: false, next_cursor: null })
  t.equal(response.headers.link, undefined)
})

t.test('a cursor is bound to its filters and sort: with any other, a 422 naming cursor', async (t) => {
  const app = await build(t)
  await seedVaried(t, app)
  const { page } = await list(t, app, '/tasks?status=pending&limit=2')
  const cursor = page.next_cursor as string
  t.type(cursor, 'string')
  t.equal((await get(app, `/tasks?status=pending&limit=2&cursor=${cursor}`)).response.statusCode, 200, 'fine with its own parameters')
  t.equal((await get(app, `/tasks?sort_by=created_at&sort_order=desc&status=pending&include_deleted=false&limit=5&cursor=${cursor}`)).response.statusCode, 200,
    'fine with the defaults spelled out and another limit')

  for (const other of ['status=done', 'status=pending&sort_order=asc', 'status=pending&sort_by=title', 'status=pending&sort_by=priority',
    'status=pending&priority=3', 'status=pending&q=alpha', 'status=pending&include_deleted=true', 'status=pending&updated_since=2000-01-01T00:00:00Z',
    'status=pending&sort_by=due_at', 'status=pending&due_before=2095-05-01T08:00:00Z', 'status=pending&due_after=2000-01-01T00:00:00Z',
    'status=pending&overdue=true', 'status=pending&overdue=false', '']) {
    await expectInvalidCursor(t, app, `/tasks?${other}&limit=2&cursor=${cursor}`, other === '' ? 'without the filter' : other)
  }
})

t.test('an altered, garbage or empty cursor, or a cursor with offset, is a 422 naming cursor', async (t) => {
  const app = await build(t)
  await seedVaried(t, app)
  for (const sort of SORTS) {
    const { page } = await list(t, app, `/tasks?${sort}&limit=3`)
    const cursor = page.next_cursor as string
    for (const index of [0, Math.floor(cursor.length / 3), cursor.indexOf('.') - 1, cursor.indexOf('.') + 1, cursor.length - 1]) {
      const replacement = cursor[index] === 'A' ? 'B' : 'A'
      const altered = cursor.slice(0, index) + replacement + cursor.slice(index + 1)
      await expectInvalidCursor(t, app, `/tasks?${sort}&limit=3&cursor=${altered}`, `${sort}: character ${index} altered`)
    }
    await expectInvalidCursor(t, app, `/tasks?${sort}&limit=3&cursor=${cursor}x`, `${sort}: a character appended`)
    await expectInvalidCursor(t, app, `/tasks?${sort}&limit=3&cursor=${cursor.slice(0, -1)}`, `${sort}: a character cut`)
    await expectInvalidCursor(t, app, `/tasks?${sort}&limit=3&cursor=${cursor}.${cursor}`, `${sort}: doubled`)
    await expectInvalidCursor(t, app, `/tasks?${sort}&limit=3&cursor=${cursor}&offset=3`, `${sort}: with offset`)
    await expectInvalidCursor(t, app, `/tasks?${sort}&limit=3&offset=0&cursor=${cursor}`, `${sort}: with offset=0 first`)
  }
  for (const garbage of ['abc', 'abc.def', '.', 'a.b.c', '', '%20', 'a%2Bb', 'x'.repeat(3000), 'W1tdXQ.', 'bnVsbA.abc']) {
    await expectInvalidCursor(t, app, `/tasks?cursor=${garbage}`, `cursor=${garbage.slice(0, 20)}`)
  }
  await expectInvalidCursor(t, app, '/tasks?cursor=abc&cursor=abc', 'cursor twice')
})

t.test('a cursor may be used with another limit, and resumes where its page ended', async (t) => {
  const app = await build(t)
  const tasks: Task[] = []
  for (let i = 0; i < 12; i++) tasks.push(await createTask(app, { title: `T${i}` }))
  const { page } = await list(t, app, '/tasks?sort_order=asc&limit=5')
  const { page: rest } = await list(t, app, `/tasks?sort_order=asc&limit=100&cursor=${page.next_cursor}`)
  t.same(rest.items.map((task) => task.id), tasks.slice(5).map((task) => task.id))
  t.match(rest, { total: 12, has_more: false, next_cursor: null, limit: 100, offset: 0 })
})

t.test('a cursor after the longest titles, in any characters, still leads to the next task', async (t) => {
  const app = await build(t)
  const titles = ['"'.repeat(200), '\\'.repeat(200), '\u{1F600}'.repeat(200), 'é'.repeat(200), '<>&?#%+ '.repeat(25).trim(), 'a']
  const tasks: Task[] = []
  for (const title of titles) tasks.push(await createTask(app, { title }))
  for (const order of ['asc', 'desc']) {
    const { page: reference } = await list(t, app, `/tasks?sort_by=title&sort_order=${order}&limit=100`)
    const seen: number[] = []
    let url: string | undefined = `/tasks?sort_by=title&sort_order=${order}&limit=1`
    while (url !== undefined) {
      const { page, link } = await list(t, app, url)
      seen.push(...page.items.map((task) => task.id))
      url = nextLink(link)
      if (url !== undefined) url = url.replace(/offset=\d+/, `cursor=${page.next_cursor}`)
    }
    t.same(seen, reference.items.map((task) => task.id), `title ${order}: every task once, in order`)
    t.equal(seen.length, titles.length)
  }
})

/** The ids a cursor walk saw, checking `total` against the live count on every page. */
async function walkWhileWriting (
  t: Test,
  app: App,
  query: string,
  initial: Task[],
  newTask: (round: number, i: number) => Record<string, unknown>
) {
  const alive = new Set(initial.map((task) => task.id))
  const deleted = new Set<number>()
  const inserted = new Set<number>()
  const seenCount = new Map<number, number>()
  const seenOrder: number[] = []
  let cursor: string | undefined
  let round = 0
  for (;;) {
    const { page } = await list(t, app, `/tasks?${query}&limit=20${cursor === undefined ? '' : `&cursor=${cursor}`}`)
    t.equal(page.total, alive.size, `round ${round}: total counts exactly the live tasks`)
    for (const task of page.items) {
      t.notOk(deleted.has(task.id), `round ${round}: task ${task.id} is listed after it was deleted`)
      seenCount.set(task.id, (seenCount.get(task.id) ?? 0) + 1)
      seenOrder.push(task.id)
    }
    if (page.next_cursor === null) break
    cursor = page.next_cursor
    round++
    if (round > 100) {
      t.fail('the walk does not end')
      break
    }

    // Another writer, between pages: 5 new tasks, 3 deletions ahead of the walk and 3 behind it.
    for (let i = 0; i < 5; i++) {
      const task = await createTask(app, newTask(round, i))
      alive.add(task.id)
      inserted.add(task.id)
    }
    const unseen = [...alive].filter((id) => !seenCount.has(id) && !inserted.has(id)).sort((a, b) => a - b)
    const seen = [...alive].filter((id) => seenCount.has(id)).sort((a, b) => a - b)
    const victims = [
      ...[0, Math.floor(unseen.length / 2), unseen.length - 1].map((index) => unseen[index]),
      ...[0, Math.floor(seen.length / 2), seen.length - 1].map((index) => seen[index])
    ]
    for (const id of new Set(victims)) {
      if (id === undefined) continue
      t.equal((await app.inject({ method: 'DELETE', url: `/tasks/${id}` })).statusCode, 204)
      alive.delete(id)
      deleted.add(id)
    }
  }
  return { seenCount, seenOrder, deleted, inserted, rounds: round }
}

t.test('a cursor walk never skips a task that exists throughout, nor repeats one, while others are added and deleted between pages', async (t) => {
  const app = await build(t)
  const initial: Task[] = []
  for (let i = 0; i < 250; i++) initial.push(await createTask(app, { title: `Initial ${i}`, priority: (i % 5) + 1 }))

  const { seenCount, deleted, rounds } = await walkWhileWriting(t, app, 'sort_by=created_at&sort_order=desc', initial,
    (round, i) => ({ title: `New ${round}.${i}` }))
  t.ok(rounds >= 8, `several pages with writes between them (${rounds})`)
  t.ok(deleted.size >= rounds * 6 - 6, 'tasks were deleted on both sides of the walk')

  const throughout = initial.filter((task) => !deleted.has(task.id)).map((task) => task.id)
  t.same(throughout.filter((id) => seenCount.get(id) !== 1), [], 'every task that existed throughout is seen exactly once')
  t.same([...seenCount].filter(([, count]) => count > 1), [], 'no task is seen twice')
})

t.test('the same holds when new tasks land both ahead of and behind the cursor (priority ascending)', async (t) => {
  const app = await build(t)
  const initial: Task[] = []
  for (let i = 0; i < 150; i++) initial.push(await createTask(app, { title: `Initial ${i}`, priority: (i % 5) + 1 }))

  const { seenCount, seenOrder, deleted, inserted } = await walkWhileWriting(t, app, 'sort_by=priority&sort_order=asc', initial,
    (round, i) => ({ title: `New ${round}.${i}`, priority: i + 1 }))

  const throughout = initial.filter((task) => !deleted.has(task.id)).map((task) => task.id)
  t.same(throughout.filter((id) => seenCount.get(id) !== 1), [], 'every task that existed throughout is seen exactly once')
  t.same([...seenCount].filter(([, count]) => count > 1), [], 'no task is seen twice')
  t.ok([...inserted].some((id) => seenCount.has(id)), 'some tasks added during the walk were reached')

  // The initial tasks were seen in sort order: priority ascending, then id ascending.
  const byId = new Map(initial.map((task) => [task.id, task.priority]))
  const initialSeen = seenOrder.filter((id) => byId.has(id))
  const sorted = [...initialSeen].sort((a, b) => (byId.get(a) as number) - (byId.get(b) as number) || a - b)
  t.same(initialSeen, sorted, 'the initial tasks were seen in sort order')
})

t.test('the same holds sorted by due time, in both orders, while new tasks land among those due and those without a due time', async (t) => {
  // Ties on purpose: five due times for 150 tasks, and none for two in five.
  const dues = [null, '2001-01-01T00:00:00.000Z', '2091-01-01T00:00:00.000Z', null, '2050-06-01T12:00:00.000Z']
  for (const order of ['asc', 'desc']) {
    const app = await build(t)
    const initial: Task[] = []
    for (let i = 0; i < 150; i++) initial.push(await createTask(app, { title: `Initial ${i}`, due_at: dues[i % dues.length] }))

    const { seenCount, seenOrder, deleted, inserted } = await walkWhileWriting(t, app, `sort_by=due_at&sort_order=${order}`, initial,
      (round, i) => ({ title: `New ${round}.${i}`, due_at: dues[i] }))

    const throughout = initial.filter((task) => !deleted.has(task.id)).map((task) => task.id)
    t.same(throughout.filter((id) => seenCount.get(id) !== 1), [], `${order}: every task that existed throughout is seen exactly once`)
    t.same([...seenCount].filter(([, count]) => count > 1), [], `${order}: no task is seen twice`)
    t.ok([...inserted].some((id) => seenCount.has(id)), `${order}: some tasks added during the walk were reached`)

    // The initial tasks were seen in due order, those without a due time last, ties by id in the same direction.
    const direction = order === 'asc' ? 1 : -1
    const dueOf = new Map(initial.map((task) => [task.id, task.due_at === null ? null : Date.parse(task.due_at)]))
    const initialSeen = seenOrder.filter((id) => dueOf.has(id))
    const sorted = [...initialSeen].sort((a, b) => {
      const [x, y] = [dueOf.get(a) ?? null, dueOf.get(b) ?? null]
      if (x === null || y === null) return Number(x === null) - Number(y === null) || direction * (a - b)
      return direction * (x - y || a - b)
    })
    t.same(initialSeen, sorted, `${order}: the initial tasks were seen in due order, the undated last`)
  }
})

t.test('a cursor forged with a correct checksum but content this API never writes is a 422, not a 500', async (t) => {
  const app = await build(t)
  await createTask(app, { title: 'One' })
  // The checksum is not a secret: whoever forges one still gets only a clear refusal.
  const forge = (content: string) => {
    const payload = Buffer.from(content).toString('base64url')
    return `${payload}.${createHash('sha256').update(payload).digest('base64url').slice(0, 16)}`
  }
  for (const content of ['not json', '5', '{"a":1}', '["x",1,"digest"]', '[1,1.5,"digest"]']) {
    const response = await app.inject({ method: 'GET', url: `/tasks?cursor=${forge(content)}` })
    t.equal(response.statusCode, 422, content)
    t.same(response.json().errors.map((error: { parameter: string }) => error.parameter), ['cursor'], content)
  }
})
