import t from 'tap'
import { administratorToken, bearer, build, createUser, signIn } from '../../helper.js'

t.test('GET /admin/users lists every user by username, a page at a time, with cursors and Link', async (t) => {
  const app = await build(t)
  for (const name of ['eve', 'ada', 'cyd', 'bob']) await createUser(app, name)
  const first = await app.inject({ method: 'GET', url: '/admin/users?limit=2' })
  t.equal(first.statusCode, 200)
  const page = first.json()
  t.same(page.items.map((user: { username: string }) => user.username), ['ada', 'bob'])
  t.match(page, { total: 5, limit: 2, offset: 0, has_more: true, next_cursor: String })
  t.equal(first.headers.link, '</admin/users?limit=2&offset=2>; rel="next"')
  const next = (await app.inject({ method: 'GET', url: `/admin/users?limit=2&cursor=${page.next_cursor}` })).json()
  t.same(next.items.map((user: { username: string }) => user.username), ['cyd', 'eve'])
  const last = await app.inject({ method: 'GET', url: `/admin/users?limit=2&cursor=${next.next_cursor}` })
  t.same([last.json().items.map((user: { username: string }) => user.username), last.json().has_more, last.json().next_cursor, last.headers.link], [['local'], false, null, undefined])
  t.notMatch(first.body, /password|hash/i, 'nothing of passwords')
  const foreign = await app.inject({ method: 'GET', url: `/projects?cursor=${page.next_cursor}` })
  t.match([foreign.statusCode, foreign.json().errors], [422, [{ parameter: 'cursor', detail: /belongs to another list/ }]], 'a cursor of another list is refused')
  const both = await app.inject({ method: 'GET', url: `/admin/users?offset=1&cursor=${page.next_cursor}` })
  t.match([both.statusCode, both.json().errors], [422, [{ parameter: 'cursor' }]])
})

t.test('GET /admin/users/{username} finds a user in any case, or 404', async (t) => {
  const app = await build(t)
  await createUser(app, 'ada')
  t.match((await app.inject({ method: 'GET', url: '/admin/users/ADA' })).json(), { username: 'ada' })
  const missing = await app.inject({ method: 'GET', url: '/admin/users/nobody' })
  t.match([missing.statusCode, missing.json().detail], [404, 'User nobody was not found.'])
})

t.test('PATCH /admin/users/{username} changes the role and disables; the last administrator and the local user stay', async (t) => {
  // AUTH=off, so that no administrator is made at start: root is the only one who can sign in.
  const app = await build(t)
  const root = await administratorToken(app)
  await createUser(app, 'ada', {}, root)
  const patch = async (username: string, payload: Record<string, unknown>, token = root) =>
    app.inject({ method: 'PATCH', url: `/admin/users/${username}`, headers: bearer(token), payload })
  const lastAdmin = await patch('root', { role: 'member' })
  t.match([lastAdmin.statusCode, lastAdmin.json().type], [409, 'https://example.com/errors/last-admin'])
  t.equal((await patch('root', { disabled: true })).statusCode, 409)
  t.match((await patch('ada', { role: 'admin' })).json(), { username: 'ada', role: 'admin' })
  const ada = (await signIn(app, 'ada')).access_token
  t.match((await patch('root', { role: 'member' }, ada)).json(), { role: 'member' }, 'with another administrator, one may be demoted')
  t.equal((await app.inject({ method: 'GET', url: '/admin/users', headers: bearer(root) })).statusCode, 403, 'and their token loses users:admin at once')
  t.match([(await patch('local', { disabled: true }, ada)).statusCode, (await patch('local', { disabled: true }, ada)).json().type], [409, 'https://example.com/errors/built-in-user'])
  t.equal((await patch('nobody', { disabled: true }, ada)).statusCode, 404)
  t.equal((await patch('root', { role: 'owner' }, ada)).statusCode, 422)
  t.equal((await patch('root', { password: 'x' }, ada)).statusCode, 422, 'an administrator never sets a password')
})
