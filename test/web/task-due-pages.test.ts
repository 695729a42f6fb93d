import t from 'tap'
import { build, createTask } from '../helper.js'
import { apolloWorld } from '../routes/apollo-world.js'
import { PageVisitor, type VisitedPage } from './page-visitor.js'

// With AUTH=off (the default) every page acts as the built-in local user.

type App = Awaited<ReturnType<typeof build>>

// Far from now either way, so that "overdue" never depends on when the test runs.
const PAST = '2020-03-01T09:00:00.000Z'
const FUTURE = '2090-12-24T16:30:00.000Z'

/** A new task's form as a person fills it in, with `fields` changed. */
function newTask (fields: Record<string, string>): Record<string, string> {
  return { title: 'Site visit', description: '', status: 'pending', priority: '2', assignee: '', notify_email: '', due_at: '', location_name: '', location_latitude: '', location_longitude: '', project: '', ...fields }
}

async function apiTask (app: App, id: number, headers: Record<string, string> = {}) {
  return (await app.inject({ url: `/tasks/${id}`, headers })).json()
}

/** The one task there is. */
async function onlyTask (app: App) {
  const { items } = (await app.inject('/tasks')).json()
  if (items.length !== 1) throw new Error(`${items.length} tasks, not one`)
  return items[0]
}

function titles (page: VisitedPage): string[] {
  return page.html.querySelectorAll('.task-title').map((title) => title.textContent)
}

/** The text of the list's row for the task with this title. */
function row (page: VisitedPage, title: string): string {
  const item = page.html.querySelectorAll('.task').find((candidate) => candidate.querySelector('.task-title')?.textContent === title)
  return item?.textContent.replace(/\s+/g, ' ').trim() ?? ''
}

/** What a definition list shows for each term. */
function definitions (page: VisitedPage, selector: string): Record<string, string> {
  const list = page.html.querySelector(selector)
  const terms = list?.querySelectorAll('dt') ?? []
  return Object.fromEntries(terms.map((term) => [term.textContent, term.nextElementSibling?.textContent.replace(/\s+/g, ' ').trim() ?? '']))
}

t.test('the form has a due time in UTC and a place; a task made with them has them, as the API shows them', async (t) => {
  const app = await build(t)
  const visitor = new PageVisitor(app)
  const form = await visitor.get('/web/tasks/new')
  const due = form.html.querySelector('#due_at')
  t.equal(due?.getAttribute('type'), 'datetime-local')
  t.equal(due?.getAttribute('aria-describedby'), 'due_at-hint', 'the hint says the time is in UTC')
  t.equal(form.text('label[for=due_at]'), 'Due (UTC) (optional)')
  t.equal(form.text('.place legend'), 'Place (optional)')
  for (const field of ['location_latitude', 'location_longitude']) {
    t.equal(form.html.querySelector(`#${field}`)?.getAttribute('inputmode'), 'decimal', field)
  }
  t.same(['due_at', 'location_name', 'location_latitude', 'location_longitude'].map((field) => form.value(field)), ['', '', '', ''], 'all empty on a new task')

  const created = await visitor.post('/web/tasks', newTask({ due_at: '2090-12-24T16:30', location_name: 'Warehouse 4', location_latitude: '52.52', location_longitude: ' -13.405 ' }))
  t.equal(created.status, 303)
  const task = await onlyTask(app)
  t.equal(task.due_at, FUTURE, 'the time typed is UTC, shown back with seconds and milliseconds')
  t.same(task.location, { name: 'Warehouse 4', latitude: 52.52, longitude: -13.405 })

  const page = await visitor.get(`/web/tasks/${task.id}`)
  t.equal(page.text('.when-where'), 'Due 24 Dec 2090, 16:30 UTC · At Warehouse 4 (52.52, -13.405)')
  t.equal(page.html.querySelector('.when-where time')?.getAttribute('datetime'), FUTURE)
  t.same(
    { due_at: page.value('due_at'), name: page.value('location_name'), latitude: page.value('location_latitude'), longitude: page.value('location_longitude') },
    { due_at: '2090-12-24T16:30', name: 'Warehouse 4', latitude: '52.52', longitude: '-13.405' },
    'the edit form holds them, the time as a datetime-local field takes it'
  )
  t.equal(page.html.querySelector('#due_at')?.getAttribute('step'), undefined, 'to the minute, a minute\'s step')
})

t.test('a time to the second keeps its seconds; a point may have no name, and a comma for its decimal mark', async (t) => {
  const app = await build(t)
  const visitor = new PageVisitor(app)
  await visitor.get('/web/tasks/new')
  t.equal((await visitor.post('/web/tasks', newTask({ due_at: '2090-12-24T16:30:15', location_latitude: '48,8566', location_longitude: '+2.3522' }))).status, 303)
  const task = await onlyTask(app)
  t.equal(task.due_at, '2090-12-24T16:30:15.000Z')
  t.same(task.location, { name: null, latitude: 48.8566, longitude: 2.3522 })

  const page = await visitor.get(`/web/tasks/${task.id}`)
  t.equal(page.text('.when-where'), 'Due 24 Dec 2090, 16:30:15 UTC · At 48.8566, 2.3522')
  t.equal(page.value('due_at'), '2090-12-24T16:30:15')
  t.equal(page.html.querySelector('#due_at')?.getAttribute('step'), 'any', 'a step that allows the seconds')
})

t.test('editing sets, changes and clears the due time and the place; saving the form unchanged changes nothing', async (t) => {
  const app = await build(t)
  const task = await createTask(app, { title: 'Deliver', due_at: '2090-03-01T09:00:05.250Z', location: { name: 'Depot', latitude: 1.5, longitude: 2.5 } })
  const visitor = new PageVisitor(app)
  const url = `/web/tasks/${task.id}`
  const form = await visitor.get(url)
  t.equal(form.value('due_at'), '2090-03-01T09:00:05.250', 'milliseconds too, when it has them')
  t.equal(form.text('.when-where'), 'Due 1 Mar 2090, 09:00:05 UTC · At Depot (1.5, 2.5)')

  t.equal((await visitor.submit(url, url, {})).status, 303)
  t.match(await apiTask(app, task.id), { due_at: '2090-03-01T09:00:05.250Z', location: { name: 'Depot', latitude: 1.5, longitude: 2.5 }, version: 1 }, 'the same values: no change, no new version')

  t.equal((await visitor.submit(url, url, { due_at: '2091-01-02T03:04', location_name: '', location_latitude: '-33.86', location_longitude: '151.21' })).status, 303)
  t.match(await apiTask(app, task.id), { due_at: '2091-01-02T03:04:00.000Z', location: { name: null, latitude: -33.86, longitude: 151.21 }, version: 2 })

  t.equal((await visitor.submit(url, url, { due_at: '', location_latitude: '', location_longitude: ' ' })).status, 303)
  const cleared = await apiTask(app, task.id)
  t.match(cleared, { due_at: null, location: null, version: 3 }, 'empty fields clear them')
  const page = await visitor.get(url)
  t.equal(page.html.querySelector('.when-where'), null, 'a task with neither has no line for them')
  t.same(['due_at', 'location_name', 'location_latitude', 'location_longitude'].map((field) => page.value(field)), ['', '', '', ''])
})

t.test('a wrong due time or place comes back with 422, its message beside its field, every value kept; nothing is written', async (t) => {
  const app = await build(t)
  const visitor = new PageVisitor(app)
  await visitor.get('/web/tasks/new')
  const page = await visitor.post('/web/tasks', newTask({ title: '', due_at: 'tomorrow', location_name: 'Dock', location_latitude: '91', location_longitude: 'east' }))
  t.equal(page.status, 422)
  t.same(page.errorSummary(), ['Title is required', 'Due (UTC) must be a valid date-time', 'Latitude must be at most 90', 'Longitude must be a number'], 'in the order of the fields')
  t.equal(page.text('#due_at-error'), 'Error: Due (UTC) must be a valid date-time')
  t.equal(page.text('#location_latitude-error'), 'Error: Latitude must be at most 90')
  t.equal(page.text('#location_longitude-error'), 'Error: Longitude must be a number')
  t.equal(page.html.querySelector('#location_latitude')?.getAttribute('aria-invalid'), 'true')
  t.equal(page.html.querySelector('#location_latitude')?.getAttribute('aria-describedby'), 'location_latitude-error location-hint')
  t.equal(page.html.querySelector('#due_at')?.getAttribute('aria-describedby'), 'due_at-error due_at-hint')
  t.equal(page.html.querySelector('#location_name')?.getAttribute('aria-invalid'), undefined, 'the name is fine')
  t.same(page.html.querySelectorAll('.error-summary a').map((link) => link.getAttribute('href')), ['#title', '#due_at', '#location_latitude', '#location_longitude'], 'the summary links to each field')
  t.same(
    { due_at: page.value('due_at'), name: page.value('location_name'), latitude: page.value('location_latitude'), longitude: page.value('location_longitude') },
    { due_at: 'tomorrow', name: 'Dock', latitude: '91', longitude: 'east' }
  )

  const cases: Array<[Record<string, string>, string[]]> = [
    [{ location_name: 'Dock' }, ['Latitude and longitude are required for a place: give both, or clear its name']],
    [{ location_latitude: '10' }, ['Longitude is required']],
    [{ location_name: 'Dock', location_longitude: '10' }, ['Latitude is required']],
    [{ location_name: 'n'.repeat(201), location_latitude: '-90.5', location_longitude: '180.5' }, ['Place name must be at most 200 characters', 'Latitude must be at least -90', 'Longitude must be at most 180']],
    [{ location_latitude: '1.2.3', location_longitude: '-181' }, ['Latitude must be a number', 'Longitude must be at least -180']],
    [{ location_latitude: '1e400', location_longitude: '0' }, ['Latitude must be a number']],
    [{ due_at: '2090-02-30T10:00' }, ['Due (UTC) must be a valid date-time']],
    [{ due_at: '24/12/2090 16:30' }, ['Due (UTC) must be a valid date-time']],
    // What a plain text field (a browser without a date picker) may send, and the API would not keep.
    [{ due_at: '9999-12-31T23:00:00-05:00' }, ['Due (UTC) must be a date and time between the years 0000 and 9999, like 2026-12-24T17:00']],
    [{ due_at: '2090-12-24T10:00:00+02' }, ['Due (UTC) must be a date and time between the years 0000 and 9999, like 2026-12-24T17:00']]
  ]
  for (const [fields, messages] of cases) {
    const wrong = await visitor.post('/web/tasks', newTask(fields))
    t.equal(wrong.status, 422, JSON.stringify(fields))
    t.same(wrong.errorSummary(), messages, JSON.stringify(fields))
    for (const [field, value] of Object.entries(fields)) t.equal(wrong.value(field), value, `${field} is kept`)
  }
  t.equal((await app.inject('/tasks')).json().total, 0, 'nothing was created')

  // An offset with its minutes, typed where there is no date picker, is a time the API takes.
  t.equal((await visitor.post('/web/tasks', newTask({ due_at: '2090-12-24T17:30:00+01:00' }))).status, 303)
  t.equal((await onlyTask(app)).due_at, FUTURE)
})

t.test('a wrong edit of them comes back with 422 and the values typed; the task is unchanged', async (t) => {
  const app = await build(t)
  const task = await createTask(app, { title: 'Deliver', due_at: FUTURE, location: { name: 'Depot', latitude: 1.5, longitude: 2.5 } })
  const visitor = new PageVisitor(app)
  const url = `/web/tasks/${task.id}`
  const page = await visitor.submit(url, url, { due_at: 'soon', location_latitude: '', location_longitude: '' })
  t.equal(page.status, 422)
  t.same(page.errorSummary(), ['Due (UTC) must be a valid date-time', 'Latitude and longitude are required for a place: give both, or clear its name'])
  t.same([page.value('due_at'), page.value('location_name'), page.value('location_latitude')], ['soon', 'Depot', ''])
  t.match(await apiTask(app, task.id), { due_at: FUTURE, location: { name: 'Depot', latitude: 1.5, longitude: 2.5 }, version: 1 })
})

t.test('the list shows due times, marks the overdue, sorts by due time and filters the overdue', async (t) => {
  const app = await build(t)
  await createTask(app, { title: 'Late', due_at: PAST })
  await createTask(app, { title: 'Late but done', due_at: PAST, status: 'done' })
  await createTask(app, { title: 'Soon', due_at: FUTURE, status: 'in_progress' })
  await createTask(app, { title: 'Someday' })
  const visitor = new PageVisitor(app)

  const list = await visitor.get('/web/tasks')
  t.match(row(list, 'Late'), 'Due 1 Mar 2020, 09:00 UTC Overdue')
  t.notMatch(row(list, 'Late but done'), 'Overdue', 'a done task is not overdue')
  t.match(row(list, 'Late but done'), 'Due 1 Mar 2020, 09:00 UTC')
  t.match(row(list, 'Soon'), 'Due 24 Dec 2090, 16:30 UTC')
  t.notMatch(row(list, 'Soon'), 'Overdue', 'nor one due later')
  t.notMatch(row(list, 'Someday'), 'Due', 'a task without a due time shows none')
  t.equal(list.html.querySelectorAll('.overdue-badge').length, 1)
  t.equal(list.html.querySelector('.due time')?.getAttribute('datetime'), FUTURE, 'newest first: Soon\'s time')
  t.same(list.html.querySelectorAll('#sort_by option').map((option) => [option.getAttribute('value'), option.textContent]), [['created_at', 'Created'], ['priority', 'Priority'], ['title', 'Title'], ['due_at', 'Due']])
  t.equal(list.html.querySelector('#overdue')?.hasAttribute('checked'), false)
  t.equal(list.text('label[for=overdue]'), 'Overdue only')

  const ascending = await visitor.get('/web/tasks?sort_by=due_at&sort_order=asc')
  t.same(titles(ascending), ['Late', 'Late but done', 'Soon', 'Someday'], 'soonest first, ties by id, undated last')
  t.equal(ascending.value('sort_by'), 'due_at', 'the form shows the sort')
  t.same(titles(await visitor.get('/web/tasks?sort_by=due_at&sort_order=desc')), ['Soon', 'Late but done', 'Late', 'Someday'], 'undated last in either order')

  // What the filter form sends with "Overdue only" ticked.
  const overdue = await visitor.get('/web/tasks?q=&status=&priority=&project=&sort_by=created_at&sort_order=desc&overdue=true')
  t.same(titles(overdue), ['Late'])
  t.equal(overdue.html.querySelector('#overdue')?.hasAttribute('checked'), true, 'the box stays ticked')
  t.same(titles(await visitor.get('/web/tasks?overdue=false&sort_by=title&sort_order=asc')), ['Late but done', 'Someday', 'Soon'], 'overdue=false: the others')
})

t.test('the list\'s links keep its due time filters', async (t) => {
  const app = await build(t)
  await createTask(app, { title: 'Late', due_at: PAST })
  await createTask(app, { title: 'Late but done', due_at: PAST, status: 'done' })
  await createTask(app, { title: 'Soon', due_at: FUTURE })
  await createTask(app, { title: 'Much later', due_at: '2095-01-01T00:00:00Z' })
  const visitor = new PageVisitor(app)
  const filters = 'overdue=false&due_after=2000-01-01T00%3A00%3A00Z&due_before=2094-01-01T00%3A00%3A00Z&sort_by=due_at&sort_order=asc'
  const first = await visitor.get(`/web/tasks?${filters}&limit=1`)
  t.same(titles(first), ['Late but done'])
  const next = first.html.querySelector('a[rel=next]')?.getAttribute('href')
  t.equal(next, `/web/tasks?${filters}&limit=1&offset=1`, 'the next page keeps every filter')
  const second = await visitor.get(next ?? '')
  t.same(titles(second), ['Soon'])
  t.equal(second.html.querySelector('a[rel=next]'), null, 'Much later is past due_before, Late is overdue')
  t.equal(second.html.querySelector('a[rel=prev]')?.getAttribute('href'), `/web/tasks?${filters}&limit=1`)
})

t.test('a stale edit shows the due time and place the task has now', async (t) => {
  const app = await build(t)
  const task = await createTask(app, { title: 'Deliver', due_at: FUTURE })
  const visitor = new PageVisitor(app)
  const url = `/web/tasks/${task.id}`
  await visitor.get(url)
  // Someone else changes the task meanwhile.
  await app.inject({ method: 'PATCH', url: `/tasks/${task.id}`, payload: { due_at: PAST, location: { name: 'Depot', latitude: 1.5, longitude: 2.5 } } })
  const conflict = await visitor.post(url, { ...newTask({ title: 'Deliver', due_at: '2090-12-25T08:00' }), version: '1' })
  t.equal(conflict.status, 409)
  t.match(definitions(conflict, '.conflict dl'), { Due: '1 Mar 2020, 09:00 UTC Overdue', Place: 'Depot (1.5, 2.5)' })
  t.equal(conflict.value('due_at'), '2090-12-25T08:00', 'the form keeps what the person typed')
  t.match(await apiTask(app, task.id), { due_at: PAST, version: 2 }, 'nothing was overwritten')

  await app.inject({ method: 'PATCH', url: `/tasks/${task.id}`, payload: { due_at: null, location: null } })
  const bare = await visitor.post(url, { ...newTask({ title: 'Deliver' }), version: '2' })
  t.equal(bare.status, 409)
  t.match(definitions(bare, '.conflict dl'), { Due: '—', Place: '—' })
})

async function signedIn (app: App, username: string): Promise<PageVisitor> {
  const visitor = new PageVisitor(app)
  await visitor.get('/web/sign-in')
  const signed = await visitor.post('/web/sign-in', { username, password: `${username} password`, next: '/web/tasks' })
  if (signed.status !== 303) throw new Error(`signing ${username} in answered ${signed.status}`)
  return visitor
}

t.test('with AUTH=on, an editor sets them on a project\'s task, and its viewer sees them', async (t) => {
  const app = await build(t, { AUTH: 'on' })
  const { as, apollo } = await apolloWorld(app)
  const bob = await signedIn(app, 'bob')
  const url = `/web/tasks/${apollo.id}`
  const saved = await bob.submit(url, url, { due_at: '2020-03-01T09:00', location_name: 'Launch pad', location_latitude: '28.6', location_longitude: '-80.6' })
  t.equal(saved.status, 303)
  t.match(await apiTask(app, apollo.id, as('ann')), { due_at: PAST, location: { name: 'Launch pad', latitude: 28.6, longitude: -80.6 }, version: 2 })

  const cat = await signedIn(app, 'cat')
  const page = await cat.get(url)
  t.equal(page.html.querySelector(`form[action="${url}"]`), null, 'a viewer has no form')
  t.equal(page.html.querySelector('.when-where'), null, 'nor the line above it')
  t.match(definitions(page, '.task-fields'), { Due: '1 Mar 2020, 09:00 UTC Overdue', Place: 'Launch pad (28.6, -80.6)' })
  t.match(row(await cat.get('/web/tasks?overdue=true'), 'In apollo'), 'Due 1 Mar 2020, 09:00 UTC Overdue')

  await bob.get('/web/tasks/new')
  t.equal((await bob.post('/web/tasks', newTask({ title: 'Count down', project: 'apollo', due_at: '2090-12-24T16:30', location_latitude: '0', location_longitude: '0' }))).status, 303)
  const listed = (await app.inject({ url: '/tasks?project=apollo&q=count', headers: as('ann') })).json()
  t.match(listed.items, [{ title: 'Count down', created_by: 'bob', due_at: FUTURE, location: { name: null, latitude: 0, longitude: 0 } }])
})
