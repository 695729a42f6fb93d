import t from 'tap'
import { administratorToken, bearer, build, createUser, signIn, TIMESTAMP, userToken } from '../../helper.js'

t.test('POST /users registers a member, answering 201 with the user (no password) and its URL', async (t) => {
  const app = await build(t)
  const response = await app.inject({ method: 'POST', url: '/users', payload: { username: 'ada', email: 'Ada@Example.com', password: 'correct horse', display_name: '  Ada Lovelace  ' } })
  t.equal(response.statusCode, 201)
  t.equal(response.headers.location, '/admin/users/ada')
  t.same(Object.keys(response.json()).sort(), ['avatar_url', 'bio', 'created_at', 'disabled', 'display_name', 'email', 'role', 'updated_at', 'username'])
  t.match(response.json(), { username: 'ada', email: 'Ada@Example.com', display_name: 'Ada Lovelace', role: 'member', disabled: false, created_at: TIMESTAMP })
  t.equal((await signIn(app, 'ada', { password: 'correct horse' })).token_type, 'Bearer', 'and can sign in')
  const plain = await app.inject({ method: 'POST', url: '/users', payload: { username: 'bob', email: 'bob@example.com', password: 'correct horse' } })
  t.equal(plain.json().display_name, 'bob', 'the display name defaults to the username')
})

t.test('usernames and emails are unique without regard to case: 409 naming the field', async (t) => {
  const app = await build(t)
  await createUser(app, 'ada')
  const username = await app.inject({ method: 'POST', url: '/users', payload: { username: 'ada', email: 'other@example.com', password: 'correct horse' } })
  t.equal(username.statusCode, 409)
  t.match(username.json(), { type: 'https://example.com/errors/already-exists', errors: [{ pointer: '#/username', detail: 'is taken' }] })
  const email = await app.inject({ method: 'POST', url: '/users', payload: { username: 'bob', email: 'ADA@example.COM', password: 'correct horse' } })
  t.equal(email.statusCode, 409)
  t.same(email.json().errors, [{ pointer: '#/email', detail: 'is taken' }])
})

t.test('a bad registration is a 422 naming every field, and creates nobody', async (t) => {
  const app = await build(t)
  const cases: Array<[Record<string, unknown>, string[]]> = [
    [{}, ['#/email', '#/password', '#/username']],
    [{ username: 'Ada', email: 'ada@example.com', password: 'correct horse' }, ['#/username']],
    [{ username: 'ab', email: 'ada@example.com', password: 'correct horse' }, ['#/username']],
    [{ username: 'a'.repeat(40), email: 'ada@example.com', password: 'correct horse' }, ['#/username']],
    [{ username: 'ada!', email: 'ada@example.com', password: 'correct horse' }, ['#/username']],
    [{ username: 'ada', email: 'not an email', password: 'correct horse' }, ['#/email']],
    [{ username: 'ada', email: `${'a'.repeat(250)}@x.io`, password: 'correct horse' }, ['#/email']],
    [{ username: 'ada', email: 'ada@example.com', password: 'short' }, ['#/password']],
    [{ username: 'ada', email: 'ada@example.com', password: 'p'.repeat(257) }, ['#/password']],
    [{ username: 'ada', email: 'ada@example.com', password: 'correct horse', display_name: '   ' }, ['#/display_name']],
    [{ username: 'ada', email: 'ada@example.com', password: 'correct horse', role: 'owner' }, ['#/role']],
    [{ username: 'ada', email: 'ada@example.com', password: 'correct horse', is_admin: true }, ['#/is_admin']]
  ]
  for (const [payload, pointers] of cases) {
    const response = await app.inject({ method: 'POST', url: '/users', payload })
    t.equal(response.statusCode, 422, JSON.stringify(payload).slice(0, 80))
    t.same(response.json().errors.map((error: { pointer: string }) => error.pointer).sort(), pointers)
    t.notMatch(response.body, /correct horse/, 'the password is never repeated back')
  }
  t.equal((await app.inject({ method: 'GET', url: '/admin/users' })).json().total, 1, 'only the local user exists')
})

t.test('REGISTRATION=admin (the default) needs users:admin; REGISTRATION=open lets anyone register, as a member', async (t) => {
  const closed = await build(t, { AUTH: 'on' })
  const member = await (async () => {
    const admin = await administratorToken(closed)
    await createUser(closed, 'ada', {}, admin)
    return (await signIn(closed, 'ada')).access_token
  })()
  const body = { username: 'bob', email: 'bob@example.com', password: 'correct horse' }
  t.equal((await closed.inject({ method: 'POST', url: '/users', payload: body })).statusCode, 401, 'anonymous')
  t.equal((await closed.inject({ method: 'POST', url: '/users', headers: bearer(member), payload: body })).statusCode, 403, 'a member')

  const open = await build(t, { AUTH: 'on', REGISTRATION: 'open' })
  t.equal((await open.inject({ method: 'POST', url: '/users', payload: body })).statusCode, 201, 'anyone, with REGISTRATION=open')
  const asAdmin = await open.inject({ method: 'POST', url: '/users', payload: { username: 'eve', email: 'eve@example.com', password: 'correct horse', role: 'admin' } })
  t.equal(asAdmin.statusCode, 403, 'but not as an administrator')
  t.match(asAdmin.json().detail, /Only an administrator/)
  const openAdmin = await administratorToken(open)
  const promoted = await open.inject({ method: 'POST', url: '/users', headers: bearer(openAdmin), payload: { username: 'eve', email: 'eve@example.com', password: 'correct horse', role: 'admin' } })
  t.match([promoted.statusCode, promoted.json().role], [201, 'admin'], 'an administrator may create one')
  t.equal((await open.inject({ method: 'POST', url: '/users', headers: bearer('garbage'), payload: body })).statusCode, 401, 'a token that is sent is checked')
})

t.test('GET /users/me is the caller; with AUTH=off and no token, the local administrator', async (t) => {
  const app = await build(t)
  t.match((await app.inject({ method: 'GET', url: '/users/me' })).json(), { username: 'local', role: 'admin', email: null, display_name: 'Local administrator' })
  const token = await userToken(app, 'ada', {}, 'projects:read')
  t.match((await app.inject({ method: 'GET', url: '/users/me', headers: bearer(token) })).json(), { username: 'ada', role: 'member' }, 'any scope will do')
})

t.test('PATCH /users/me changes email and display name; a new password needs the current one and ends every token', async (t) => {
  const app = await build(t, { LOGIN_MAX_FAILURES_PER_USER: '3' })
  const token = await userToken(app, 'ada')
  await createUser(app, 'bob')
  const patch = async (payload: Record<string, unknown>, as = token) => app.inject({ method: 'PATCH', url: '/users/me', headers: bearer(as), payload })
  t.match((await patch({ display_name: ' Ada L. ', email: 'ada@lovelace.example' })).json(), { display_name: 'Ada L.', email: 'ada@lovelace.example' })
  const taken = await patch({ email: 'BOB@example.com' })
  t.match([taken.statusCode, taken.json().errors], [409, [{ pointer: '#/email' }]])
  const noCurrent = await patch({ password: 'a new password' })
  t.match([noCurrent.statusCode, noCurrent.json().errors], [422, [{ pointer: '#/current_password', detail: 'is required to set a new password' }]])
  const wrong = await patch({ password: 'a new password', current_password: 'not it' })
  t.match([wrong.statusCode, wrong.json().errors], [422, [{ pointer: '#/current_password', detail: 'is not your current password' }]])
  t.equal((await patch({ unknown: 1 })).statusCode, 422)
  const changed = await patch({ password: 'a new password', current_password: 'ada password' })
  t.equal(changed.statusCode, 200)
  t.equal((await patch({ display_name: 'x' })).statusCode, 401, 'the token used for the change no longer works')
  const fresh = (await signIn(app, 'ada', { password: 'a new password' })).access_token
  t.equal((await app.inject({ method: 'GET', url: '/users/me', headers: bearer(fresh) })).statusCode, 200, 'the new password signs in')
  for (let attempt = 0; attempt < 3; attempt++) await patch({ password: 'guessing', current_password: `guess ${attempt}` }, fresh)
  const throttled = await patch({ password: 'guessing', current_password: 'a new password' }, fresh)
  t.equal(throttled.statusCode, 429, 'guessing the current password is throttled like signing in')
  t.match(throttled.headers['retry-after'], /^\d+$/)
})

t.test('the local user has no password to change', async (t) => {
  const app = await build(t)
  const response = await app.inject({ method: 'PATCH', url: '/users/me', payload: { password: 'a new password', current_password: 'anything' } })
  t.match([response.statusCode, response.json().errors], [422, [{ pointer: '#/current_password' }]])
})

t.test('personal access tokens: made with the scopes you may give, shown once, listed without the secret, revoked at once', async (t) => {
  const app = await build(t)
  const token = await userToken(app, 'ada', {}, 'tasks:read tasks:write projects:read')
  const create = async (payload: Record<string, unknown>) => app.inject({ method: 'POST', url: '/users/me/tokens', headers: bearer(token), payload })
  const expiresAt = new Date(Date.now() + 86_400_000).toISOString()
  const created = await create({ name: ' nightly export ', scopes: ['tasks:read', 'users:admin', 'projects:write'], expires_at: expiresAt })
  t.equal(created.statusCode, 201)
  const body = created.json()
  t.match(body, { id: Number, name: 'nightly export', scopes: ['tasks:read'], expires_at: expiresAt, created_at: TIMESTAMP, token: /^tapi_pat_[\w-]{43}$/ },
    'only scopes the user may have and the calling token holds are granted')
  t.equal((await app.inject({ method: 'GET', url: '/tasks', headers: bearer(body.token) })).statusCode, 200, 'the token works')
  t.equal((await app.inject({ method: 'POST', url: '/tasks', headers: bearer(body.token), payload: { title: 'x' } })).statusCode, 403, 'within its scopes')
  t.match((await create({ name: 'forever', scopes: ['projects:read'] })).json(), { expires_at: null })

  const listed = await app.inject({ method: 'GET', url: '/users/me/tokens', headers: bearer(token) })
  t.same(listed.json().items.map((item: { name: string }) => item.name), ['forever', 'nightly export'], 'newest first')
  t.notMatch(listed.body, /tapi_pat_/, 'never the tokens themselves')

  const revoked = await app.inject({ method: 'DELETE', url: `/users/me/tokens/${body.id}`, headers: bearer(token) })
  t.equal(revoked.statusCode, 204)
  t.equal((await app.inject({ method: 'GET', url: '/tasks', headers: bearer(body.token) })).statusCode, 401, 'a revoked token stops working at once')
  const again = await app.inject({ method: 'DELETE', url: `/users/me/tokens/${body.id}`, headers: bearer(token) })
  t.match([again.statusCode, again.json().detail], [404, `You have no personal access token ${body.id}.`])
})

t.test('a personal token request that cannot be met is a 422 naming the field', async (t) => {
  const app = await build(t)
  const token = await userToken(app, 'ada', {}, 'tasks:read')
  const create = async (payload: Record<string, unknown>) => app.inject({ method: 'POST', url: '/users/me/tokens', headers: bearer(token), payload })
  const cases: Array<[Record<string, unknown>, string, RegExp]> = [
    [{ name: 'x', scopes: ['projects:write'] }, '#/scopes', /no scope you may give: your token holds tasks:read/],
    [{ name: 'x', scopes: [] }, '#/scopes', /fewer than 1/],
    [{ name: 'x', scopes: ['tasks:read', 'tasks:read'] }, '#/scopes', /duplicate/],
    [{ name: 'x', scopes: ['tasks:delete'] }, '#/scopes/0', /must be one of/],
    [{ name: 'x', scopes: ['tasks:read'], expires_at: '2020-01-01T00:00:00Z' }, '#/expires_at', /in the future/],
    [{ name: 'x', scopes: ['tasks:read'], expires_at: 'tomorrow' }, '#/expires_at', /date-time/],
    [{ name: '', scopes: ['tasks:read'] }, '#/name', /fewer than 1/],
    [{ name: 'n'.repeat(101), scopes: ['tasks:read'] }, '#/name', /more than 100/]
  ]
  for (const [payload, pointer, detail] of cases) {
    const response = await create(payload)
    t.equal(response.statusCode, 422, JSON.stringify(payload))
    t.match(response.json().errors, [{ pointer, detail }])
  }
})

t.test('a user holds at most 100 personal access tokens', async (t) => {
  const app = await build(t)
  for (let index = 0; index < 100; index++) await app.inject({ method: 'POST', url: '/users/me/tokens', payload: { name: `t${index}`, scopes: ['tasks:read'] } })
  const over = await app.inject({ method: 'POST', url: '/users/me/tokens', payload: { name: 'one more', scopes: ['tasks:read'] } })
  t.match([over.statusCode, over.json().type], [409, 'https://example.com/errors/token-limit-reached'])
})
