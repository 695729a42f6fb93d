import t, { type Test } from 'tap'
import { administratorToken, bearer, build, createUser, signIn } from '../helper.js'
import { PageVisitor, type VisitedPage } from './page-visitor.js'

type App = Awaited<ReturnType<typeof build>>

/**
 * An app with sign-in (AUTH=on) and four users made by an administrator:
 * ada owns Apollo (with two tasks) and Zeus, bob is a viewer of Apollo,
 * eve an editor of it, and carol is in no project. `tokens` holds each one's API token.
 */
async function apolloWorld (t: Test) {
  const app = await build(t, { AUTH: 'on' })
  const admin = await administratorToken(app)
  const names = { ada: 'Ada Lovelace', bob: 'Bob Baker', eve: 'Eve Editor', carol: 'Carol Cole' }
  const tokens = {} as Record<keyof typeof names, string>
  for (const username of Object.keys(names) as Array<keyof typeof names>) {
    await createUser(app, username, { display_name: names[username] }, admin)
    tokens[username] = (await signIn(app, username)).access_token
  }
  const ada = bearer(tokens.ada)
  await api(app, 'POST', '/projects', ada, { name: 'Apollo', description: 'To the moon' })
  await api(app, 'POST', '/projects', ada, { name: 'Zeus' })
  await api(app, 'PUT', '/projects/apollo/members/bob', ada, { role: 'viewer' })
  await api(app, 'PUT', '/projects/apollo/members/eve', ada, { role: 'editor' })
  await api(app, 'POST', '/tasks', ada, { title: 'Build the rocket', project: 'apollo' })
  await api(app, 'POST', '/tasks', ada, { title: 'Launch', project: 'apollo' })
  await api(app, 'POST', '/tasks', ada, { title: 'Not in a project' })
  return { app, admin, tokens }
}

/** A request to the JSON API that must succeed. */
async function api (app: App, method: 'POST' | 'PUT' | 'PATCH', url: string, headers: Record<string, string>, payload: Record<string, unknown>) {
  const response = await app.inject({ method, url, headers, payload })
  if (response.statusCode >= 300) throw new Error(`${method} ${url} failed with ${response.statusCode}: ${response.body}`)
  return response.json()
}

/** A visitor who signed in through the form (createUser's password unless given). */
async function signedIn (app: App, username: string, password = `${username} password`): Promise<PageVisitor> {
  const visitor = new PageVisitor(app)
  const response = await visitor.submit('/web/sign-in', '/web/sign-in', { username, password })
  if (response.status !== 303) throw new Error(`signing in as ${username} failed with ${response.status}`)
  return visitor
}

/** The projects of the list page: each one's link text, where it goes, and the line under it. */
function listed (page: VisitedPage): Array<[string, string | undefined, string]> {
  return page.html.querySelectorAll('.project-list li').map((item) => {
    const link = item.querySelector('a')
    return [link?.textContent.trim() ?? '', link?.getAttribute('href'), item.querySelector('.meta')?.textContent.trim() ?? '']
  })
}

/** The members of a project page, each as shown: name, then username and role. */
function members (page: VisitedPage): string[] {
  return page.html.querySelectorAll('#members-title + ul li').map((item) => item.textContent.replace(/\s+/g, ' ').trim())
}

/** The "New task in …" link of a project page, if it has one. */
function newTaskLink (page: VisitedPage) {
  return page.html.querySelectorAll('a').find((link) => link.textContent.trim().startsWith('New task'))
}

t.test('signed out, a project page sends to the sign-in form, which comes back to it', async (t) => {
  const { app } = await apolloWorld(t)
  const visitor = new PageVisitor(app)
  for (const url of ['/web/projects', '/web/projects/apollo']) {
    const page = await visitor.get(url)
    t.same([page.status, page.location], [303, `/web/sign-in?next=${encodeURIComponent(url)}`], url)
  }
  const form = await visitor.get('/web/sign-in?next=%2Fweb%2Fprojects%2Fapollo')
  const signedInPage = await visitor.post('/web/sign-in', { username: 'ada', password: 'ada password', next: form.value('next') as string })
  t.same([signedInPage.status, signedInPage.location], [303, '/web/projects/apollo'])
  t.equal((await visitor.get('/web/projects/apollo')).text('h1'), 'Apollo')
})

t.test('the projects page lists the projects the viewer sees, by slug, with their role in each', async (t) => {
  const { app } = await apolloWorld(t)
  const ada = await (await signedIn(app, 'ada')).get('/web/projects')
  t.equal(ada.status, 200)
  t.equal(ada.text('h1'), 'Projects')
  t.same(listed(ada), [['Apollo', '/web/projects/apollo', 'apollo · owner'], ['Zeus', '/web/projects/zeus', 'zeus · owner']])
  t.match(ada.text('.project-list li p'), 'To the moon', 'with its description')
  const bob = await (await signedIn(app, 'bob')).get('/web/projects')
  t.same(listed(bob), [['Apollo', '/web/projects/apollo', 'apollo · viewer']], 'a member sees only the projects they are in')
  const carol = await (await signedIn(app, 'carol')).get('/web/projects')
  t.same(listed(carol), [])
  t.match(carol.text('main'), 'You are not a member of any project yet.')
  const root = await (await signedIn(app, 'root')).get('/web/projects')
  t.same(listed(root), [['Apollo', '/web/projects/apollo', 'apollo'], ['Zeus', '/web/projects/zeus', 'zeus']], 'an administrator sees every project, without a role')
})

t.test('a project page shows its name, description, members with their roles, and latest tasks', async (t) => {
  const { app, tokens } = await apolloWorld(t)
  const page = await (await signedIn(app, 'ada')).get('/web/projects/apollo')
  t.equal(page.status, 200)
  t.equal(page.text('h1'), 'Apollo')
  t.equal(page.text('title'), 'Apollo · Task API')
  t.equal(page.text('.lead'), 'To the moon')
  t.match(page.text('main'), 'your role: owner')
  t.same(members(page), ['Ada Lovelace @ada · owner', 'Bob Baker @bob · viewer', 'Eve Editor @eve · editor'])
  const tasks = page.html.querySelectorAll('#tasks-title + ul li a')
  t.same(tasks.map((link) => link.textContent.trim()), ['Launch', 'Build the rocket'], 'the project\'s tasks, newest first')
  const listedIds = (await app.inject({ method: 'GET', url: '/tasks?project=apollo', headers: bearer(tokens.ada) })).json().items.map((task: { id: number }) => `/web/tasks/${task.id}`)
  t.same(tasks.map((link) => link.getAttribute('href')), listedIds, 'each links to its page')
  const all = page.html.querySelectorAll('a').find((link) => link.getAttribute('href') === '/web/tasks?project=apollo')
  t.equal(all?.textContent.trim(), 'All 2 tasks of this project')
  const newTask = newTaskLink(page)
  t.equal(newTask?.textContent.trim(), 'New task in Apollo', 'an owner may add tasks')
  t.equal(newTask?.getAttribute('href'), '/web/tasks/new?project=apollo')
  t.match(page.headers['cache-control'], /private/, 'no shared cache keeps a page of one person')
})

t.test('a project with no tasks says so', async (t) => {
  const { app } = await apolloWorld(t)
  const page = await (await signedIn(app, 'ada')).get('/web/projects/zeus')
  t.equal(page.status, 200)
  t.match(page.text('main'), 'No tasks yet.')
  t.equal(page.html.querySelectorAll('.lead').length, 0, 'no description, no paragraph for it')
  t.same(members(page), ['Ada Lovelace @ada · owner'])
})

t.test('the pages show every project and member past one page of the API, and the 20 latest tasks', async (t) => {
  const { app, tokens } = await apolloWorld(t)
  const ada = bearer(tokens.ada)
  for (let n = 1; n <= 100; n++) await api(app, 'POST', '/projects', ada, { name: `Extra ${n}` })
  const passwordHash = (await app.db.users.findByUsername('carol'))?.passwordHash as string
  for (let n = 1; n <= 100; n++) {
    const username = `member-${String(n).padStart(3, '0')}`
    await app.db.users.create({ username, email: `${username}@example.com`, displayName: `Member ${n}`, role: 'member', passwordHash })
    await api(app, 'PUT', `/projects/apollo/members/${username}`, ada, { role: 'viewer' })
  }
  for (let n = 1; n <= 20; n++) await api(app, 'POST', '/tasks', ada, { title: `Step ${n}`, project: 'apollo' })
  const visitor = await signedIn(app, 'ada')
  const list = await visitor.get('/web/projects')
  t.equal(listed(list).length, 102, 'every project ada sees')
  const page = await visitor.get('/web/projects/apollo')
  t.equal(members(page).length, 103, 'every member')
  t.ok(members(page).includes('Member 100 @member-100 · viewer'))
  const tasks = page.html.querySelectorAll('#tasks-title + ul li a').map((link) => link.textContent.trim())
  t.equal(tasks.length, 20, 'the latest 20 tasks')
  t.same([tasks[0], tasks[19]], ['Step 20', 'Step 1'])
  t.ok(page.html.querySelectorAll('a').some((link) => link.textContent.trim() === 'All 22 tasks of this project'), 'and a link to them all')
})

t.test('a viewer member sees the project without the "New task" link; an editor and an administrator get it', async (t) => {
  const { app } = await apolloWorld(t)
  const bob = await (await signedIn(app, 'bob')).get('/web/projects/apollo')
  t.equal(bob.status, 200)
  t.equal(bob.text('h1'), 'Apollo')
  t.match(bob.text('main'), 'your role: viewer')
  t.same(bob.html.querySelectorAll('#tasks-title + ul li a').map((link) => link.textContent.trim()), ['Launch', 'Build the rocket'], 'a viewer sees the tasks')
  t.equal(newTaskLink(bob), undefined, 'no "New task" link for a viewer')
  t.notOk(bob.body.includes('/web/tasks/new'))
  const eve = await (await signedIn(app, 'eve')).get('/web/projects/apollo')
  t.equal(newTaskLink(eve)?.getAttribute('href'), '/web/tasks/new?project=apollo', 'an editor may add tasks')
  const root = await (await signedIn(app, 'root')).get('/web/projects/apollo')
  t.equal(root.status, 200)
  t.match(root.text('main'), 'you see it as an administrator')
  t.equal(newTaskLink(root)?.getAttribute('href'), '/web/tasks/new?project=apollo', 'an administrator may add tasks')
})

t.test('a project one may not see is a 404 page, the same as one that does not exist', async (t) => {
  const { app } = await apolloWorld(t)
  const carol = await signedIn(app, 'carol')
  const hidden = await carol.get('/web/projects/apollo')
  const missing = await carol.get('/web/projects/nothing')
  t.same([hidden.status, missing.status], [404, 404])
  t.match(hidden.headers['content-type'], /^text\/html/)
  t.match(hidden.text('h1'), /not found/i)
  t.equal(hidden.text('h1'), missing.text('h1'), 'the same title')
  t.same([hidden.text('.lead'), missing.text('.lead')], ['Project apollo was not found.', 'Project nothing was not found.'], 'the same words, as the API has them')
  t.notOk(hidden.body.includes('To the moon') || hidden.body.includes('Build the rocket') || hidden.body.includes('Ada Lovelace'), 'nothing of the project shows')
  t.equal(hidden.text('.who'), 'Signed in as carol', 'the page is still one of the site, for the one signed in')
  const bob = await signedIn(app, 'bob')
  t.equal((await bob.get('/web/projects/zeus')).status, 404, 'a member of another project of the owner')
  t.same(listed(await carol.get('/web/projects')), [], 'nor is it listed')
})

t.test('a renamed project\'s old slug sends to its new page with a 301, only for those who see it', async (t) => {
  const { app, tokens } = await apolloWorld(t)
  await api(app, 'PATCH', '/projects/apollo', bearer(tokens.ada), { slug: 'artemis', name: 'Artemis' })
  const bob = await signedIn(app, 'bob')
  const old = await bob.get('/web/projects/apollo')
  t.same([old.status, old.location], [301, '/web/projects/artemis'])
  const renamed = await bob.get(old.location as string)
  t.same([renamed.status, renamed.text('h1')], [200, 'Artemis'])
  t.same(renamed.html.querySelectorAll('#tasks-title + ul li a').map((link) => link.textContent.trim()), ['Launch', 'Build the rocket'], 'its tasks moved with it')
  t.same(listed(await bob.get('/web/projects')), [['Artemis', '/web/projects/artemis', 'artemis · viewer']])
  const carol = await signedIn(app, 'carol')
  const hidden = await carol.get('/web/projects/apollo')
  t.same([hidden.status, hidden.location], [404, undefined], 'someone who may not see the project learns nothing from its old slug')
})

t.test('everything user-written on the project pages is escaped, and no page holds a script', async (t) => {
  const { app, admin, tokens } = await apolloWorld(t)
  const ada = bearer(tokens.ada)
  const name = '<script>alert(1)</script>'
  await api(app, 'POST', '/projects', ada, { name, slug: 'xss', description: '<img src=x onerror="alert(2)">' })
  await api(app, 'POST', '/tasks', ada, { title: '<script>alert(3)</script>', project: 'xss' })
  await createUser(app, 'mallory', { display_name: '<b onmouseover="alert(4)">Mallory</b>' }, admin)
  await api(app, 'PUT', '/projects/xss/members/mallory', ada, { role: 'viewer' })
  const visitor = await signedIn(app, 'ada')
  const list = await visitor.get('/web/projects')
  const page = await visitor.get('/web/projects/xss')
  t.equal(page.status, 200)
  for (const [which, visited] of [['list', list], ['project', page]] as const) {
    t.same(visited.html.querySelectorAll('script').length, 0, `${which}: no script element`)
    t.same(visited.html.querySelectorAll('img, b').length, 0, `${which}: no element written by a user`)
    t.notOk(visited.body.includes('<script>'), `${which}: the name is not written raw`)
    t.ok(visited.body.includes('&lt;script&gt;'), `${which}: but escaped`)
  }
  t.ok(listed(list).some(([text]) => text === name), 'the list shows the name as text')
  t.equal(page.text('h1'), name, 'the page shows the name as text')
  t.equal(page.text('.lead'), '<img src=x onerror="alert(2)">')
  t.same(page.html.querySelectorAll('#tasks-title + ul li a').map((link) => link.textContent.trim()), ['<script>alert(3)</script>'])
  t.ok(members(page).includes('<b onmouseover="alert(4)">Mallory</b> @mallory · viewer'))
  t.equal(newTaskLink(page)?.textContent.trim(), `New task in ${name}`)
  for (const visited of [list, page]) {
    const policy = String(visited.headers['content-security-policy'])
    t.match(policy, /script-src 'self'/)
    t.notMatch(policy, /unsafe-inline/)
  }
})

t.test('every project page response has a Content-Security-Policy without unsafe-inline', async (t) => {
  const { app, tokens } = await apolloWorld(t)
  await api(app, 'PATCH', '/projects/zeus', bearer(tokens.ada), { slug: 'jupiter' })
  const ada = await signedIn(app, 'ada')
  const responses = [await new PageVisitor(app).get('/web/projects'), await ada.get('/web/projects'), await ada.get('/web/projects/apollo'), await ada.get('/web/projects/zeus'), await ada.get('/web/projects/nothing')]
  t.same(responses.map((response) => response.status), [303, 200, 200, 301, 404])
  for (const response of responses) {
    const policy = String(response.headers['content-security-policy'])
    t.match(policy, /script-src 'self'/, String(response.status))
    t.notMatch(policy, /unsafe-inline/, String(response.status))
  }
})

t.test('with AUTH=off the project pages act as the local administrator', async (t) => {
  const app = await build(t, { AUTH: 'off' })
  await app.inject({ method: 'POST', url: '/projects', payload: { name: 'Apollo' } })
  const visitor = new PageVisitor(app)
  const list = await visitor.get('/web/projects')
  t.equal(list.status, 200)
  t.same(listed(list), [['Apollo', '/web/projects/apollo', 'apollo · owner']])
  const page = await visitor.get('/web/projects/apollo')
  t.same([page.status, page.text('h1'), page.text('.who')], [200, 'Apollo', 'Signed in as local'])
  t.same(members(page), ['Local administrator @local · owner'])
  t.equal(newTaskLink(page)?.getAttribute('href'), '/web/tasks/new?project=apollo')
})
