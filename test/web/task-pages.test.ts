import t from 'tap'
import { build, createTask } from '../helper.js'
import { PageVisitor } from './page-visitor.js'

// With AUTH=off (the default) every page acts as the built-in local user.

t.test('/ and /web send a browser to the task list', async (t) => {
  const app = await build(t)
  for (const url of ['/', '/web', '/web/']) {
    const response = await app.inject(url)
    t.equal(response.statusCode, 303, url)
    t.equal(response.headers.location, '/web/tasks', url)
  }
})

t.test('every page has a strict Content-Security-Policy and no inline script', async (t) => {
  const app = await build(t)
  const visitor = new PageVisitor(app)
  await createTask(app, { title: 'Paint the fence' })
  for (const url of ['/web/tasks', '/web/tasks/new', '/web/tasks/1', '/web/projects', '/web/nowhere']) {
    const page = await visitor.get(url)
    const policy = String(page.headers['content-security-policy'])
    t.match(policy, /default-src 'none'/, `${url}: nothing is allowed by default`)
    t.match(policy, /script-src 'self'/, `${url}: scripts only from this server`)
    t.notMatch(policy, /unsafe-inline|unsafe-eval/, `${url}: no inline script or style`)
    t.match(policy, /frame-ancestors 'none'/, `${url}: never framed`)
    t.equal(page.html.querySelectorAll('script').length, 0, `${url}: no script element`)
    t.equal(page.html.querySelectorAll('[style]').length, 0, `${url}: no inline style`)
    t.equal(page.headers['content-type'], 'text/html; charset=utf-8')
  }
})

t.test('the style sheet has a content-hashed name and is cached for a year', async (t) => {
  const app = await build(t)
  const page = await new PageVisitor(app).get('/web/tasks')
  const href = page.html.querySelector('link[rel=stylesheet]')?.getAttribute('href') ?? ''
  t.match(href, /^\/web\/assets\/app\.[0-9a-f]{12}\.css$/)
  const sheet = await app.inject(href)
  t.equal(sheet.statusCode, 200)
  t.match(sheet.headers['content-type'], /^text\/css/)
  t.equal(sheet.headers['cache-control'], 'public, max-age=31536000, immutable')
  t.match(sheet.body, /\.error-summary/)
  t.equal((await app.inject('/web/assets/app.css')).statusCode, 404, 'not under its own name')
  t.equal((await app.inject('/web/assets/app.000000000000.css')).statusCode, 404, 'nor under another hash')
})

t.test('a new task with a blank title comes back with 422, a message by the title, and every other value kept', async (t) => {
  const app = await build(t)
  const visitor = new PageVisitor(app)
  await visitor.get('/web/tasks/new')
  const page = await visitor.post('/web/tasks', {
    title: ' ',
    description: 'Two coats,\r\nwhite',
    status: 'in_progress',
    priority: '4',
    assignee: 'Grace',
    notify_email: 'grace@example.com',
    project: ''
  })
  t.equal(page.status, 422)
  t.same(page.errorSummary(), ['Title is required'])
  t.equal(page.text('#title-error'), 'Error: Title is required')
  t.equal(page.html.querySelector('#title')?.getAttribute('aria-invalid'), 'true')
  t.equal(page.html.querySelector('#title')?.getAttribute('aria-describedby'), 'title-error')
  t.equal(page.html.querySelector('#description')?.getAttribute('aria-invalid'), undefined, 'only the wrong field is marked')
  t.equal(page.html.querySelector('.error-summary a')?.getAttribute('href'), '#title', 'the summary links to the field')
  t.same(
    { description: page.value('description'), status: page.value('status'), priority: page.value('priority'), assignee: page.value('assignee'), notify_email: page.value('notify_email') },
    { description: 'Two coats,\r\nwhite', status: 'in_progress', priority: '4', assignee: 'Grace', notify_email: 'grace@example.com' }
  )
  t.equal((await app.inject('/tasks')).json().total, 0, 'nothing was created')
})

t.test('each wrong field gets its own message, in the API\'s rules', async (t) => {
  const app = await build(t)
  const visitor = new PageVisitor(app)
  await visitor.get('/web/tasks/new')
  const page = await visitor.post('/web/tasks', {
    title: 'x'.repeat(201),
    description: 'd'.repeat(2001),
    status: 'sleeping',
    priority: '9',
    assignee: '',
    notify_email: 'not an email',
    project: 'no-such-project'
  })
  t.equal(page.status, 422)
  t.same(page.errorSummary(), [
    'Title must be at most 200 characters',
    'Description must be at most 2000 characters',
    'Status must be one of: pending, in_progress, done, cancelled',
    'Priority must be at most 5',
    'Email when done must be an email address, like ada@example.com'
  ], 'in the order of the fields on the form')
  for (const field of ['title', 'description', 'status', 'priority', 'notify_email']) {
    t.equal(page.html.querySelector(`#${field}`)?.getAttribute('aria-invalid'), 'true', `${field} is marked`)
  }
  t.equal(page.value('title'), 'x'.repeat(201), 'the too-long title is kept for fixing')

  const unknownProject = await visitor.post('/web/tasks', { title: 'Fine', status: 'pending', priority: '2', project: 'no-such-project' })
  t.equal(unknownProject.status, 422)
  t.same(unknownProject.errorSummary(), ['Project is not a project you can see'])
  t.equal((await app.inject('/tasks')).json().total, 0, 'nothing was created')
})

t.test('a created task redirects to the list (POST/Redirect/GET), whose flash shows once', async (t) => {
  const app = await build(t)
  const visitor = new PageVisitor(app)
  await visitor.get('/web/tasks/new')
  const created = await visitor.post('/web/tasks', { title: '  Paint the fence ', description: 'Two coats,\r\nwhite', status: 'pending', priority: '1', assignee: '', notify_email: '', project: '' })
  t.equal(created.status, 303)
  t.equal(created.location, '/web/tasks')
  const list = await visitor.get('/web/tasks')
  t.equal(list.text('.flash'), 'Task “Paint the fence” created.')
  t.equal(list.text('.task-title'), 'Paint the fence')
  t.equal((await visitor.get('/web/tasks')).text('.flash'), '', 'the flash is gone on the next page')
  const [task] = (await app.inject('/tasks')).json().items
  t.match(task, { title: 'Paint the fence', description: 'Two coats,\nwhite', priority: 1, assignee: null, notify_email: null, project: null, created_by: 'local' })
})

t.test('a form without its CSRF token, or with another session\'s, is refused and changes nothing', async (t) => {
  const app = await build(t)
  const visitor = new PageVisitor(app)
  await visitor.get('/web/tasks/new')
  const missing = await visitor.post('/web/tasks', { _csrf: '', title: 'Forged', status: 'pending', priority: '2' })
  t.equal(missing.status, 403)
  t.equal(missing.text('h1'), 'This form has expired')

  const other = new PageVisitor(app)
  await other.get('/web/tasks/new')
  const foreign = await visitor.post('/web/tasks', { _csrf: other.csrf ?? '', title: 'Forged', status: 'pending', priority: '2' })
  t.equal(foreign.status, 403)

  const cookieless = new PageVisitor(app)
  const noSession = await cookieless.post('/web/tasks', { _csrf: visitor.csrf ?? '', title: 'Forged', status: 'pending', priority: '2' })
  t.equal(noSession.status, 403, 'a token without its session')

  const task = await createTask(app, { title: 'Keep me' })
  for (const action of ['complete', 'delete']) {
    t.equal((await visitor.post(`/web/tasks/${task.id}/${action}`, { _csrf: 'nope' })).status, 403, action)
  }
  const tasks = (await app.inject('/tasks')).json()
  t.same(tasks.items.map((item: { title: string, status: string }) => [item.title, item.status]), [['Keep me', 'pending']])
})

t.test('what people wrote is escaped wherever a page shows it', async (t) => {
  const app = await build(t)
  const hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
  const task = await createTask(app, { title: hostile, description: hostile, assignee: '"><b>' })
  const visitor = new PageVisitor(app)
  for (const url of ['/web/tasks', `/web/tasks/${task.id}`, `/web/tasks?q=${encodeURIComponent(hostile.slice(0, 8))}`]) {
    const page = await visitor.get(url)
    t.equal(page.html.querySelectorAll('script').length, 0, `${url}: no script element`)
    t.equal(page.html.querySelectorAll('img').length, 0, `${url}: no image element`)
    t.equal(page.html.querySelectorAll('b').length, 0, `${url}: no bold element`)
    t.match(page.body, '&lt;script&gt;', `${url}: the title is shown as text`)
  }
  const edit = await visitor.get(`/web/tasks/${task.id}`)
  t.equal(edit.value('title'), hostile, 'the form holds it as it is')
  t.equal(edit.value('assignee'), '"><b>')
})

t.test('the list takes the API\'s filters, search, sort and paging from its URL', async (t) => {
  const app = await build(t)
  for (const [title, status, priority] of [['Alpha', 'done', 1], ['Bravo', 'pending', 3], ['Charlie', 'pending', 1], ['Delta', 'in_progress', 5], ['Echo', 'pending', 2]] as const) {
    await createTask(app, { title, status, priority, description: title === 'Delta' ? 'needs a ladder' : null })
  }
  const visitor = new PageVisitor(app)
  const titles = async (url: string) => {
    const page = await visitor.get(url)
    t.equal(page.status, 200, url)
    return page.html.querySelectorAll('.task-title').map((title) => title.textContent)
  }
  t.same(await titles('/web/tasks'), ['Echo', 'Delta', 'Charlie', 'Bravo', 'Alpha'], 'newest first by default')
  t.same(await titles('/web/tasks?status=pending'), ['Echo', 'Charlie', 'Bravo'])
  t.same(await titles('/web/tasks?status=pending&priority=1'), ['Charlie'])
  t.same(await titles('/web/tasks?q=LADDER'), ['Delta'], 'search reads descriptions too, without regard to case')
  t.same(await titles('/web/tasks?sort_by=title&sort_order=asc'), ['Alpha', 'Bravo', 'Charlie', 'Delta', 'Echo'])
  t.same(await titles('/web/tasks?q=&status=&priority=&project=&sort_by=priority&sort_order=asc'), ['Alpha', 'Charlie', 'Echo', 'Bravo', 'Delta'], 'the empty fields of the filter form are no filter (ties by id)')

  const filtered = await visitor.get('/web/tasks?status=pending&sort_by=title&sort_order=asc')
  t.equal(filtered.value('status'), 'pending', 'the filter form shows the filters')
  t.equal(filtered.value('sort_by'), 'title')
  t.equal(filtered.value('sort_order'), 'asc')

  const first = await visitor.get('/web/tasks?sort_by=title&sort_order=asc&limit=2')
  t.equal(first.text('.count'), 'Showing 1–2 of 5 tasks.')
  t.equal(first.html.querySelector('a[rel=prev]'), null, 'no previous page on the first')
  const next = first.html.querySelector('a[rel=next]')?.getAttribute('href')
  t.equal(next, '/web/tasks?sort_by=title&sort_order=asc&limit=2&offset=2', 'the next page\'s link keeps the filters')
  const second = await visitor.get(next ?? '')
  t.same(second.html.querySelectorAll('.task-title').map((title) => title.textContent), ['Charlie', 'Delta'])
  t.equal(second.html.querySelector('a[rel=prev]')?.getAttribute('href'), '/web/tasks?sort_by=title&sort_order=asc&limit=2')
  const last = await visitor.get(second.html.querySelector('a[rel=next]')?.getAttribute('href') ?? '')
  t.equal(last.text('.count'), 'Showing 5–5 of 5 tasks.')
  t.equal(last.html.querySelector('a[rel=next]'), null, 'no next page on the last')
})

t.test('a list address the API would refuse is a 422 page that names the parameter, as the API answers', async (t) => {
  const app = await build(t)
  const visitor = new PageVisitor(app)
  const cases: Array<[string, RegExp]> = [
    ['/web/tasks?priority=9', /priority/],
    ['/web/tasks?sort_by=colour', /sort_by/],
    ['/web/tasks?limit=1000', /limit/],
    ['/web/tasks?project=nowhere', /project is not a project you can see/],
    ['/web/tasks?cursor=abc', /cursor/]
  ]
  for (const [url, parameter] of cases) {
    const page = await visitor.get(url)
    t.equal(page.status, 422, url)
    t.match(page.text('.lead'), parameter, url)
  }
})

t.test('editing a task saves it and goes back to the list it came from', async (t) => {
  const app = await build(t)
  const task = await createTask(app, { title: 'Paint the fence', priority: 3 })
  const visitor = new PageVisitor(app)
  const form = await visitor.get(`/web/tasks/${task.id}?back=${encodeURIComponent('/web/tasks?status=pending')}`)
  t.equal(form.status, 200)
  t.equal(form.value('title'), 'Paint the fence')
  t.equal(form.value('priority'), '3')
  t.equal(form.value('version'), '1')
  const saved = await visitor.submit(`/web/tasks/${task.id}?back=${encodeURIComponent('/web/tasks?status=pending')}`, `/web/tasks/${task.id}`, { title: 'Paint the gate', status: 'in_progress', assignee: 'Grace' })
  t.equal(saved.status, 303)
  t.equal(saved.location, '/web/tasks?status=pending')
  t.equal((await visitor.get('/web/tasks')).text('.flash'), 'Task “Paint the gate” saved.')
  t.match((await app.inject(`/tasks/${task.id}`)).json(), { title: 'Paint the gate', status: 'in_progress', assignee: 'Grace', priority: 3, version: 2 })
})

t.test('a wrong edit comes back with 422 and the values typed; the task is unchanged', async (t) => {
  const app = await build(t)
  const task = await createTask(app, { title: 'Paint the fence' })
  const visitor = new PageVisitor(app)
  const page = await visitor.submit(`/web/tasks/${task.id}`, `/web/tasks/${task.id}`, { title: '', assignee: 'Grace', notify_email: 'grace@' })
  t.equal(page.status, 422)
  t.same(page.errorSummary(), ['Title is required', 'Email when done must be an email address, like ada@example.com'])
  t.equal(page.value('assignee'), 'Grace')
  t.equal(page.value('notify_email'), 'grace@')
  t.equal(page.value('version'), '1', 'still the version the form was filled in from')
  t.match((await app.inject(`/tasks/${task.id}`)).json(), { title: 'Paint the fence', assignee: null, version: 1 })
})

t.test('a stale edit shows the conflict instead of overwriting; saving again then replaces it', async (t) => {
  const app = await build(t)
  const task = await createTask(app, { title: 'Paint the fence' })
  const visitor = new PageVisitor(app)
  const form = await visitor.get(`/web/tasks/${task.id}`)
  t.equal(form.value('version'), '1')
  // Someone else changes the task meanwhile.
  await app.inject({ method: 'PATCH', url: `/tasks/${task.id}`, payload: { title: 'Paint the shed', priority: 5 } })

  const conflict = await visitor.post(`/web/tasks/${task.id}`, { title: 'Paint the gate', description: '', status: 'pending', priority: '2', assignee: '', notify_email: '', project: '', version: '1' })
  t.equal(conflict.status, 409)
  t.equal(conflict.text('#conflict-title'), 'Someone changed this task while you were editing it')
  t.match(conflict.text('.conflict'), 'Paint the shed', 'the task as it is now is shown')
  t.equal(conflict.value('title'), 'Paint the gate', 'the form keeps what the person typed')
  t.equal(conflict.value('version'), '2', 'and now holds the current version')
  t.match((await app.inject(`/tasks/${task.id}`)).json(), { title: 'Paint the shed', priority: 5, version: 2 }, 'nothing was overwritten')

  const again = await visitor.submit(`/web/tasks/${task.id}`, `/web/tasks/${task.id}`, { title: 'Paint the gate', version: '2' })
  t.equal(again.status, 303)
  t.match((await app.inject(`/tasks/${task.id}`)).json(), { title: 'Paint the gate', version: 3 })
})

t.test('complete, delete and restore buttons change the task and go back with a flash', async (t) => {
  const app = await build(t)
  const task = await createTask(app, { title: 'Paint the fence' })
  const visitor = new PageVisitor(app)
  const list = await visitor.get('/web/tasks?status=pending')
  const back = list.html.querySelector(`form[action="/web/tasks/${task.id}/complete"] input[name=back]`)?.getAttribute('value')
  t.equal(back, '/web/tasks?status=pending', 'each button goes back to the list as it was')

  const completed = await visitor.post(`/web/tasks/${task.id}/complete`, { back: back ?? '' })
  t.equal(completed.status, 303)
  t.equal(completed.location, '/web/tasks?status=pending')
  t.equal((await visitor.get('/web/tasks')).text('.flash'), 'Task “Paint the fence” is done.')
  t.equal((await app.inject(`/tasks/${task.id}`)).json().status, 'done')

  t.equal((await visitor.post(`/web/tasks/${task.id}/delete`, { back: '/web/tasks' })).status, 303)
  t.equal((await app.inject(`/tasks/${task.id}`)).statusCode, 404, 'soft-deleted')
  const withDeleted = await visitor.get('/web/tasks?include_deleted=true')
  t.match(withDeleted.text('.flash'), 'deleted')
  t.equal(withDeleted.text('.deleted-badge'), 'Deleted')
  t.ok(withDeleted.html.querySelector(`form[action="/web/tasks/${task.id}/restore"]`), 'a deleted task has a restore button')
  t.equal((await visitor.get(`/web/tasks/${task.id}`)).status, 404, 'a deleted task has no page, as in the API')

  t.equal((await visitor.post(`/web/tasks/${task.id}/restore`, { back: '/web/tasks?include_deleted=true' })).location, '/web/tasks?include_deleted=true')
  t.match((await app.inject(`/tasks/${task.id}`)).json(), { status: 'done', deleted_at: null })
})

t.test('a button goes back only to a page of this site', async (t) => {
  const app = await build(t)
  const visitor = new PageVisitor(app)
  await visitor.get('/web/tasks/new')
  for (const back of ['//evil.example/web/tasks', 'https://evil.example/web/tasks', '/\\evil.example', '/web/../admin/users', '/tasks', 'javascript:alert(1)']) {
    const task = await createTask(app, { title: 'Paint the fence' })
    const answer = await visitor.post(`/web/tasks/${task.id}/complete`, { back })
    t.equal(answer.location, '/web/tasks', back)
  }
})

t.test('a task that does not exist, or an id that is not one, is an error page', async (t) => {
  const app = await build(t)
  const visitor = new PageVisitor(app)
  const missing = await visitor.get('/web/tasks/999')
  t.equal(missing.status, 404)
  t.equal(missing.text('.lead'), 'Task 999 was not found.')
  await visitor.get('/web/tasks/new')
  t.equal((await visitor.post('/web/tasks/999/complete')).status, 404)
  t.equal((await visitor.post('/web/tasks/999', { title: 'x', status: 'pending', priority: '2', version: '1' })).status, 404)
  t.equal((await visitor.get('/web/tasks/abc')).status, 422)
})

t.test('a request the pages cannot take is an error page with the API\'s status, never a problem body', async (t) => {
  const app = await build(t)
  const visitor = new PageVisitor(app)
  await visitor.get('/web/tasks/new')
  const plain = await app.inject({ method: 'POST', url: '/web/tasks', headers: { 'content-type': 'text/plain', cookie: visitor.cookie ?? '' }, payload: 'title=x' })
  t.equal(plain.statusCode, 415)
  t.equal(plain.headers['content-type'], 'text/html; charset=utf-8')
  t.match(plain.body, 'These pages take forms')
  const tooLarge = await visitor.post('/web/tasks', { title: 'x'.repeat(2 * 1024 * 1024) })
  t.equal(tooLarge.status, 413)
  t.equal(tooLarge.headers['content-type'], 'text/html; charset=utf-8')
})

t.test('when the database fails, the page says so without its cause', async (t) => {
  const app = await build(t)
  await app.db.close()
  const page = await new PageVisitor(app).get('/web/tasks')
  t.ok(page.status >= 500, `a 5xx (${page.status})`)
  t.equal(page.headers['content-type'], 'text/html; charset=utf-8')
  t.notMatch(page.body, /Error:|at |sqlite|postgres|pool/i, 'nothing of the cause')
})
