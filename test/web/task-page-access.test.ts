import t from 'tap'
import { build } from '../helper.js'
import { apolloWorld } from '../routes/apollo-world.js'
import { PageVisitor } from './page-visitor.js'

// apollo: ann owns it, bob edits, cat views; eve is in no project.

async function signedIn (app: Awaited<ReturnType<typeof build>>, username: string): Promise<PageVisitor> {
  const visitor = new PageVisitor(app)
  await visitor.get('/web/sign-in')
  const signed = await visitor.post('/web/sign-in', { username, password: `${username} password`, next: '/web/tasks' })
  if (signed.status !== 303) throw new Error(`signing ${username} in answered ${signed.status}`)
  return visitor
}

t.test('the pages show each user what the API shows them, and nothing else', async (t) => {
  const app = await build(t, { AUTH: 'on' })
  const { as, apollo } = await apolloWorld(app)
  const own = (await app.inject({ method: 'POST', url: '/tasks', headers: as('eve'), payload: { title: 'Eve\'s own' } })).json()

  const titles = async (visitor: PageVisitor) => (await visitor.get('/web/tasks')).html.querySelectorAll('.task-title').map((title) => title.textContent)
  const eve = await signedIn(app, 'eve')
  t.same(await titles(eve), ['Eve\'s own'])
  const cat = await signedIn(app, 'cat')
  t.same(await titles(cat), ['In apollo'])

  const hidden = await eve.get(`/web/tasks/${apollo.id}`)
  t.equal(hidden.status, 404, 'a task one may not see is not found, as in the API')
  t.equal(hidden.text('.lead'), `Task ${apollo.id} was not found.`)
  t.equal((await cat.get(`/web/tasks/${own.id}`)).status, 404)
  await eve.get(`/web/tasks/${own.id}`)
  for (const action of ['complete', 'delete', 'restore']) {
    t.equal((await eve.post(`/web/tasks/${apollo.id}/${action}`)).status, 404, `${action} of a task one may not see`)
  }
  t.equal((await eve.post(`/web/tasks/${apollo.id}`, { title: 'Mine now', status: 'pending', priority: '2', version: '1' })).status, 404)
  t.equal((await eve.get('/web/tasks?project=apollo')).status, 422, 'nor may one filter by a project one may not see')
  t.match((await app.inject({ url: `/tasks/${apollo.id}`, headers: as('ann') })).json(), { title: 'In apollo', status: 'pending', version: 1 }, 'untouched')
})

t.test('a project\'s viewer sees its tasks without a form, and may not change them', async (t) => {
  const app = await build(t, { AUTH: 'on' })
  const { as, apollo } = await apolloWorld(app)
  const cat = await signedIn(app, 'cat')
  const list = await cat.get('/web/tasks')
  t.equal(list.html.querySelectorAll('.task-actions').length, 0, 'no buttons in the list')
  const page = await cat.get(`/web/tasks/${apollo.id}`)
  t.equal(page.status, 200)
  t.equal(page.html.querySelector(`form[action="/web/tasks/${apollo.id}"]`), null, 'no edit form')
  t.match(page.text('.notice'), 'You are a viewer of project apollo')
  t.equal((await cat.post(`/web/tasks/${apollo.id}/complete`)).status, 403)
  t.equal((await cat.post(`/web/tasks/${apollo.id}`, { title: 'Viewed', status: 'pending', priority: '2', project: 'apollo', version: '1' })).status, 403)
  t.equal((await app.inject({ url: `/tasks/${apollo.id}`, headers: as('ann') })).json().version, 1, 'untouched')

  await cat.get('/web/tasks/new')
  const created = await cat.post('/web/tasks', { title: 'Sneak in', status: 'pending', priority: '2', project: 'apollo' })
  t.equal(created.status, 422, 'nor add a task to it')
  t.same(created.errorSummary(), ['Project is one where you may only view tasks, not add or move them'])
  t.equal(created.html.querySelectorAll('#project option').map((option) => option.getAttribute('value')).filter((value) => value === 'apollo').length, 1, 'the project chosen is still shown')
})

t.test('an editor changes a project\'s task through its page; the task form offers only projects one may write to', async (t) => {
  const app = await build(t, { AUTH: 'on' })
  const { as, apollo } = await apolloWorld(app)
  await app.inject({ method: 'POST', url: '/projects', headers: as('cat'), payload: { name: 'Cat\'s own', slug: 'cats' } })
  await app.inject({ method: 'PUT', url: '/projects/cats/members/bob', headers: as('cat'), payload: { role: 'viewer' } })
  const bob = await signedIn(app, 'bob')
  const form = await bob.get(`/web/tasks/${apollo.id}`)
  t.same(form.html.querySelectorAll('#project option').map((option) => option.getAttribute('value')), ['', 'apollo'], 'not cats, where bob only views')
  const saved = await bob.submit(`/web/tasks/${apollo.id}`, `/web/tasks/${apollo.id}`, { priority: '1' })
  t.equal(saved.status, 303)
  t.match((await app.inject({ url: `/tasks/${apollo.id}`, headers: as('ann') })).json(), { priority: 1, project: 'apollo', version: 2 })
  const moved = await bob.submit(`/web/tasks/${apollo.id}`, `/web/tasks/${apollo.id}`, { project: 'cats' })
  t.equal(moved.status, 422)
  t.same(moved.errorSummary(), ['Project is one where you may only view tasks, not add or move them'])
})

t.test('tasks created on a page are the signed-in user\'s', async (t) => {
  const app = await build(t, { AUTH: 'on' })
  const { as } = await apolloWorld(app)
  const bob = await signedIn(app, 'bob')
  const form = await bob.get('/web/tasks/new?project=apollo')
  t.equal(form.value('project'), 'apollo', 'a project page\'s link chooses its project')
  t.equal((await bob.post('/web/tasks', { title: 'From the page', status: 'pending', priority: '2', project: 'apollo' })).status, 303)
  const listed = (await app.inject({ url: '/tasks?project=apollo&sort_by=title&sort_order=asc', headers: as('ann') })).json()
  t.match(listed.items[0], { title: 'From the page', created_by: 'bob', project: 'apollo' })
})
