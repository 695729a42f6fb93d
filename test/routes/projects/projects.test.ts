import t from 'tap'
import { bearer, build, createUser, TIMESTAMP, userToken } from '../../helper.js'

t.test('POST /projects makes you its owner, with a slug from the name when none is given', async (t) => {
  const app = await build(t)
  const created = await app.inject({ method: 'POST', url: '/projects', payload: { name: '  Café déjà vu!  ', description: 'Coffee' } })
  t.equal(created.statusCode, 201)
  t.equal(created.headers.location, '/projects/cafe-deja-vu')
  t.same(Object.keys(created.json()).sort(), ['created_at', 'description', 'name', 'role', 'slug', 'updated_at'])
  t.match(created.json(), { slug: 'cafe-deja-vu', name: 'Café déjà vu!', description: 'Coffee', role: 'owner', created_at: TIMESTAMP })
  const second = await app.inject({ method: 'POST', url: '/projects', payload: { name: 'Cafe deja vu' } })
  t.match(second.json(), { slug: 'cafe-deja-vu-2', description: null }, 'a taken slug made from a name gets a suffix')
  t.match((await app.inject({ method: 'POST', url: '/projects', payload: { name: '日本語' } })).json(), { slug: 'project' }, 'a name with nothing to transliterate')
  t.match((await app.inject({ method: 'POST', url: '/projects', payload: { name: 'A'.repeat(100) } })).json().slug, /^a{57}$/, 'a long name leaves room for a suffix')
  const explicit = await app.inject({ method: 'POST', url: '/projects', payload: { name: 'Mine', slug: 'cafe-deja-vu' } })
  t.equal(explicit.statusCode, 409, 'a slug asked for that is taken is a conflict')
  t.match(explicit.json(), { type: 'https://example.com/errors/already-exists', errors: [{ pointer: '#/slug', detail: 'is taken' }] })
})

t.test('a bad project is a 422 naming the field', async (t) => {
  const app = await build(t)
  const cases: Array<[Record<string, unknown>, string]> = [
    [{}, '#/name'], [{ name: '   ' }, '#/name'], [{ name: 'n'.repeat(101) }, '#/name'],
    [{ name: 'x', slug: 'Upper' }, '#/slug'], [{ name: 'x', slug: 'double--hyphen' }, '#/slug'], [{ name: 'x', slug: '-edge' }, '#/slug'],
    [{ name: 'x', slug: 'a'.repeat(65) }, '#/slug'], [{ name: 'x', description: 'd'.repeat(2001) }, '#/description'], [{ name: 'x', owner: 'me' }, '#/owner']
  ]
  for (const [payload, pointer] of cases) {
    const response = await app.inject({ method: 'POST', url: '/projects', payload })
    t.equal(response.statusCode, 422, JSON.stringify(payload).slice(0, 60))
    t.match(response.json().errors, [{ pointer }])
  }
})

t.test('GET /projects lists the projects you can see, by slug, paged like tasks', async (t) => {
  const app = await build(t)
  const ada = await userToken(app, 'ada')
  for (const slug of ['delta', 'alpha', 'charlie', 'bravo']) await app.inject({ method: 'POST', url: '/projects', headers: bearer(ada), payload: { name: slug } })
  await app.inject({ method: 'POST', url: '/projects', payload: { name: 'Local only' } })
  const first = await app.inject({ method: 'GET', url: '/projects?limit=3', headers: bearer(ada) })
  t.same(first.json().items.map((project: { slug: string }) => project.slug), ['alpha', 'bravo', 'charlie'])
  t.match(first.json(), { total: 4, has_more: true })
  t.equal(first.headers.link, '</projects?limit=3&offset=3>; rel="next"')
  const next = await app.inject({ method: 'GET', url: `/projects?limit=3&cursor=${first.json().next_cursor}`, headers: bearer(ada) })
  t.same(next.json().items.map((project: { slug: string }) => project.slug), ['delta'])
  const local = await app.inject({ method: 'GET', url: '/projects?limit=10' })
  t.same(local.json().items.map(({ slug, role }: { slug: string, role: string | null }) => [slug, role]),
    [['alpha', null], ['bravo', null], ['charlie', null], ['delta', null], ['local-only', 'owner']], 'an administrator sees them all, with a role where a member')
  const foreign = await app.inject({ method: 'GET', url: `/projects?cursor=${first.json().next_cursor}` })
  t.equal(foreign.statusCode, 422, 'another user\'s cursor is refused: their list is another list')
})

t.test('a project you cannot see is not found, exactly as one that does not exist', async (t) => {
  const app = await build(t)
  const ada = await userToken(app, 'ada')
  const bob = await userToken(app, 'bob')
  await app.inject({ method: 'POST', url: '/projects', headers: bearer(ada), payload: { name: 'Secret' } })
  const hidden = await app.inject({ method: 'GET', url: '/projects/secret', headers: bearer(bob) })
  const missing = await app.inject({ method: 'GET', url: '/projects/nothing', headers: bearer(bob) })
  t.same([hidden.statusCode, missing.statusCode], [404, 404])
  t.equal(hidden.json().detail, 'Project secret was not found.')
  for (const [method, url, payload] of [['PATCH', '/projects/secret', { name: 'x' }], ['DELETE', '/projects/secret', undefined], ['GET', '/projects/secret/members', undefined],
    ['PUT', '/projects/secret/members/bob', { role: 'owner' }], ['DELETE', '/projects/secret/members/ada', undefined]] as const) {
    t.equal((await app.inject({ method, url, headers: bearer(bob), ...(payload === undefined ? {} : { payload }) })).statusCode, 404, `${method} ${url}`)
  }
})

t.test('renaming a slug keeps the old one answering with a 308 to the new URL, for every route under it', async (t) => {
  const app = await build(t)
  await app.inject({ method: 'POST', url: '/projects', payload: { name: 'Apollo' } })
  const renamed = await app.inject({ method: 'PATCH', url: '/projects/apollo', payload: { slug: 'artemis', name: 'Artemis' } })
  t.match(renamed.json(), { slug: 'artemis', name: 'Artemis' })
  const get = await app.inject({ method: 'GET', url: '/projects/apollo' })
  t.same([get.statusCode, get.headers.location, get.body], [308, '/projects/artemis', ''])
  const members = await app.inject({ method: 'GET', url: '/projects/apollo/members?limit=5' })
  t.same([members.statusCode, members.headers.location], [308, '/projects/artemis/members?limit=5'], 'the rest of the URL is kept')
  for (const [method, url, payload] of [['PATCH', '/projects/apollo', { description: 'x' }], ['DELETE', '/projects/apollo', undefined],
    ['PUT', '/projects/apollo/members/local', { role: 'owner' }], ['DELETE', '/projects/apollo/members/local', undefined]] as const) {
    const response = await app.inject({ method, url, ...(payload === undefined ? {} : { payload }) })
    t.same([response.statusCode, response.headers.location], [308, url.replace('apollo', 'artemis')], `${method} ${url}`)
  }
  t.equal((await app.inject({ method: 'PATCH', url: '/projects/artemis', payload: { slug: 'artemis' } })).statusCode, 200, 'the same slug again changes nothing')
  await app.inject({ method: 'POST', url: '/projects', payload: { name: 'Zeus' } })
  const taken = await app.inject({ method: 'PATCH', url: '/projects/artemis', payload: { slug: 'zeus' } })
  t.match([taken.statusCode, taken.json().errors], [409, [{ pointer: '#/slug' }]])
})

t.test('a project\'s tasks show its new slug, with a new ETag, once it is renamed', async (t) => {
  const app = await build(t)
  await app.inject({ method: 'POST', url: '/projects', payload: { name: 'Apollo' } })
  const task = (await app.inject({ method: 'POST', url: '/tasks', payload: { title: 'Launch', project: 'apollo' } })).json()
  const before = await app.inject({ method: 'GET', url: `/tasks/${task.id}` })
  await app.inject({ method: 'PATCH', url: '/projects/apollo', payload: { slug: 'artemis' } })
  const after = await app.inject({ method: 'GET', url: `/tasks/${task.id}`, headers: { 'if-none-match': before.headers.etag as string } })
  t.equal(after.statusCode, 200, 'the copy with the old slug is no longer current')
  t.match(after.json(), { project: 'artemis', version: task.version + 1 })
})

t.test('DELETE /projects/{slug} refuses while it holds tasks, and takes its deleted tasks out', async (t) => {
  const app = await build(t)
  await app.inject({ method: 'POST', url: '/projects', payload: { name: 'Apollo' } })
  const task = (await app.inject({ method: 'POST', url: '/tasks', payload: { title: 'Launch', project: 'apollo' } })).json()
  const refused = await app.inject({ method: 'DELETE', url: '/projects/apollo' })
  t.match([refused.statusCode, refused.json().type], [409, 'https://example.com/errors/project-not-empty'])
  await app.inject({ method: 'DELETE', url: `/tasks/${task.id}` })
  t.equal((await app.inject({ method: 'DELETE', url: '/projects/apollo' })).statusCode, 204)
  t.equal((await app.inject({ method: 'GET', url: '/projects/apollo' })).statusCode, 404)
  const restored = await app.inject({ method: 'POST', url: `/tasks/${task.id}/restore` })
  t.match(restored.json(), { project: null, created_by: 'local' }, 'the deleted task is its creator\'s own, and can be restored')
})

t.test('owners manage members: 201 to add, 200 to change, 204 to remove; the last owner stays', async (t) => {
  const app = await build(t)
  const ada = await userToken(app, 'ada')
  await createUser(app, 'bob', { display_name: 'Bob B.' })
  await app.inject({ method: 'POST', url: '/projects', headers: bearer(ada), payload: { name: 'Apollo' } })
  const put = async (username: string, role: string, token = ada) => app.inject({ method: 'PUT', url: `/projects/apollo/members/${username}`, headers: bearer(token), payload: { role } })
  const added = await put('BOB', 'viewer')
  t.same([added.statusCode, added.json()], [201, { username: 'bob', display_name: 'Bob B.', role: 'viewer' }])
  t.same([(await put('bob', 'editor')).statusCode, (await put('bob', 'editor')).json().role], [200, 'editor'])
  const members = await app.inject({ method: 'GET', url: '/projects/apollo/members?limit=1', headers: bearer(ada) })
  t.match(members.json(), { items: [{ username: 'ada', role: 'owner' }], total: 2, has_more: true })
  const rest = await app.inject({ method: 'GET', url: `/projects/apollo/members?cursor=${members.json().next_cursor}`, headers: bearer(ada) })
  t.match(rest.json(), { items: [{ username: 'bob' }], has_more: false })
  const lastOwner = await put('ada', 'editor')
  t.match([lastOwner.statusCode, lastOwner.json().type, lastOwner.json().detail], [409, 'https://example.com/errors/last-owner', /ada is the last owner of project apollo/])
  t.match([(await put('nobody', 'viewer')).statusCode, (await put('nobody', 'viewer')).json().detail], [404, 'User nobody was not found.'])
  t.equal((await put('bob', 'admin')).statusCode, 422)
  const leave = await app.inject({ method: 'DELETE', url: '/projects/apollo/members/ada', headers: bearer(ada) })
  t.equal(leave.statusCode, 409, 'the last owner cannot leave')
  const notMember = await app.inject({ method: 'DELETE', url: '/projects/apollo/members/local', headers: bearer(ada) })
  t.match([notMember.statusCode, notMember.json().detail], [404, 'local is not a member of project apollo.'])
  t.equal((await app.inject({ method: 'DELETE', url: '/projects/apollo/members/bob', headers: bearer(ada) })).statusCode, 204)
  t.equal((await app.inject({ method: 'GET', url: '/projects/apollo/members', headers: bearer(ada) })).json().total, 1)
})

t.test('tasks in projects: created with a project, filtered by it, moved between them', async (t) => {
  const app = await build(t)
  const ada = await userToken(app, 'ada')
  await app.inject({ method: 'POST', url: '/projects', headers: bearer(ada), payload: { name: 'Apollo' } })
  await app.inject({ method: 'POST', url: '/projects', headers: bearer(ada), payload: { name: 'Zeus' } })
  const task = await app.inject({ method: 'POST', url: '/tasks', headers: bearer(ada), payload: { title: 'Launch', project: 'apollo' } })
  t.match([task.statusCode, task.json()], [201, { project: 'apollo', created_by: 'ada' }])
  await app.inject({ method: 'POST', url: '/tasks', headers: bearer(ada), payload: { title: 'Own' } })
  const listed = await app.inject({ method: 'GET', url: '/tasks?project=apollo', headers: bearer(ada) })
  t.same(listed.json().items.map((item: { title: string }) => item.title), ['Launch'])
  const unknown = await app.inject({ method: 'GET', url: '/tasks?project=nope', headers: bearer(ada) })
  t.match([unknown.statusCode, unknown.json().errors], [422, [{ parameter: 'project', detail: 'is not a project you can see' }]])
  const badSlug = await app.inject({ method: 'GET', url: '/tasks?project=Not%20A%20Slug', headers: bearer(ada) })
  t.match([badSlug.statusCode, badSlug.json().errors], [422, [{ parameter: 'project' }]])
  const moved = await app.inject({ method: 'PATCH', url: `/tasks/${task.json().id}`, headers: bearer(ada), payload: { project: 'zeus' } })
  t.match(moved.json(), { project: 'zeus', version: 2 })
  const nowhere = await app.inject({ method: 'POST', url: '/tasks', headers: bearer(ada), payload: { title: 'x', project: 'nope' } })
  t.match([nowhere.statusCode, nowhere.json().errors], [422, [{ pointer: '#/project', detail: 'is not a project you can see' }]])
  const badProject = await app.inject({ method: 'POST', url: '/tasks', headers: bearer(ada), payload: { title: 'x', project: 'Bad Slug' } })
  t.match([badProject.statusCode, badProject.json().errors], [422, [{ pointer: '#/project' }]])
  const replaced = await app.inject({ method: 'PUT', url: `/tasks/${task.json().id}`, headers: bearer(ada), payload: { title: 'Launch' } })
  t.match(replaced.json(), { project: null }, 'PUT without project takes the task out of its project, as every field left out returns to its default')
})

t.test('an old slug sent percent-encoded redirects to the same URL with the new slug', async (t) => {
  const app = await build(t)
  await app.inject({ method: 'POST', url: '/projects', payload: { name: 'Gamma', slug: 'fuzz-gamma' } })
  await app.inject({ method: 'PATCH', url: '/projects/fuzz-gamma', payload: { slug: 'gamma-renamed' } })
  const cases: Array<[string, string]> = [
    ['/projects/fuzz%2Dgamma', '/projects/gamma-renamed'],
    ['/projects/%66uzz-gamma/members?limit=1&offset=2', '/projects/gamma-renamed/members?limit=1&offset=2'],
    ['/projects/fuzz-gamma/', '/projects/gamma-renamed/']
  ]
  for (const [url, location] of cases) {
    const response = await app.inject({ method: 'GET', url })
    t.same([response.statusCode, response.headers.location], [308, location], url)
  }
})
