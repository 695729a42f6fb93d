import t from 'tap'
import type { LightMyRequestResponse } from 'fastify'
import { bearer, build, createUser, signIn } from '../../helper.js'

const FORM = { 'content-type': 'application/x-www-form-urlencoded' }

async function tokenRequest (app: Awaited<ReturnType<typeof build>>, fields: Record<string, string>, headers: Record<string, string> = FORM) {
  return app.inject({ method: 'POST', url: '/auth/token', headers, payload: new URLSearchParams(fields).toString() })
}

/** An RFC 6749 section 5.2 error, which is also a problem. */
function isOAuthError (t: Parameters<typeof build>[0], response: LightMyRequestResponse, error: string, detail?: RegExp) {
  t.equal(response.statusCode, 400, `${error}: 400`)
  t.equal(response.headers['content-type'], 'application/json; charset=utf-8', `${error}: as application/json`)
  t.equal(response.headers['cache-control'], 'no-store')
  const body = response.json()
  t.match(body, { error, error_description: String, type: `https://example.com/errors/${error.replaceAll('_', '-')}`, status: 400, instance: '/auth/token' })
  t.equal(body.error_description, body.detail)
  if (detail !== undefined) t.match(body.error_description, detail)
  return body
}

t.test('the password grant answers an access token, a refresh token and the scopes granted, never to be cached', async (t) => {
  const app = await build(t, { AUTH: 'on' })
  await app.db.users.create({ username: 'ada', email: null, displayName: 'Ada', role: 'member', passwordHash: await (await import('../../../src/auth/passwords.js')).hashPassword('ada password') })
  const response = await tokenRequest(app, { grant_type: 'password', username: 'ADA', password: 'ada password', client_id: 'swagger-ui' }, { ...FORM, authorization: 'Basic dW5kZWZpbmVkOnVuZGVmaW5lZA==' })
  t.equal(response.statusCode, 200)
  t.equal(response.headers['cache-control'], 'no-store')
  t.equal(response.headers.pragma, 'no-cache')
  const body = response.json()
  t.match(body, { access_token: /^[\w-]+\.[\w-]+\.[\w-]+$/, token_type: 'Bearer', expires_in: 900, refresh_token: /^tapi_rt_[\w-]{43}$/, scope: 'tasks:read tasks:write projects:read projects:write' })
  t.same(Object.keys(body).sort(), ['access_token', 'expires_in', 'refresh_token', 'scope', 'token_type'])
  const claims = JSON.parse(Buffer.from(body.access_token.split('.')[1], 'base64url').toString())
  t.equal(claims.exp - claims.iat, 900, 'the access token lives ACCESS_TOKEN_TTL_SECONDS')
  const me = await app.inject({ method: 'GET', url: '/users/me', headers: bearer(body.access_token) })
  t.equal(me.json().username, 'ada', 'the username is matched without regard to case, and the token is hers')
})

t.test('the scopes granted are those asked for that the user may have', async (t) => {
  const app = await build(t)
  await createUser(app, 'ada')
  await createUser(app, 'root', { role: 'admin' })
  t.equal((await signIn(app, 'ada', { scope: 'tasks:read' })).scope, 'tasks:read')
  t.equal((await signIn(app, 'ada', { scope: 'projects:read  tasks:read users:admin' })).scope, 'tasks:read projects:read', 'a member never gets users:admin')
  t.equal((await signIn(app, 'ada', { scope: '' })).scope, 'tasks:read tasks:write projects:read projects:write', 'an empty scope asks for everything allowed')
  t.equal((await signIn(app, 'root')).scope, 'tasks:read tasks:write projects:read projects:write users:admin')
  isOAuthError(t, await tokenRequest(app, { grant_type: 'password', username: 'ada', password: 'ada password', scope: 'users:admin' }), 'invalid_scope', /None of the scopes/)
  isOAuthError(t, await tokenRequest(app, { grant_type: 'password', username: 'ada', password: 'ada password', scope: 'tasks:read tasks:delete' }), 'invalid_scope', /Unknown scope: tasks:delete/)
})

t.test('a wrong password, an unknown user, a disabled user and the local user all get the same invalid_grant', async (t) => {
  const app = await build(t)
  await createUser(app, 'ada')
  await createUser(app, 'dis')
  await app.inject({ method: 'PATCH', url: '/admin/users/dis', payload: { disabled: true } })
  const answers = new Set<string>()
  for (const [username, password] of [['ada', 'wrong password'], ['nobody', 'ada password'], ['dis', 'dis password'], ['local', 'anything at all']]) {
    answers.add(isOAuthError(t, await tokenRequest(app, { grant_type: 'password', username: username as string, password: password as string }), 'invalid_grant').detail)
  }
  t.same([...answers], ['The username or password is wrong, or the user is disabled.'], 'nothing tells which it was')
})

t.test('an incomplete or malformed token request is invalid_request naming the field; an unknown grant type has its own error', async (t) => {
  const app = await build(t)
  const missing = isOAuthError(t, await tokenRequest(app, { grant_type: 'password', username: 'ada' }), 'invalid_request', /password is required/)
  t.same(missing.errors, [{ pointer: '#/password', detail: 'is required' }])
  isOAuthError(t, await tokenRequest(app, { grant_type: 'refresh_token' }), 'invalid_request', /refresh_token is required/)
  const unknownField = isOAuthError(t, await tokenRequest(app, { grant_type: 'password', username: 'a', password: 'b', remember: 'yes' }), 'invalid_request')
  t.same(unknownField.errors, [{ detail: 'is not a known field', pointer: '#/remember' }])
  isOAuthError(t, await tokenRequest(app, { username: 'a', password: 'b' }), 'invalid_request', /grant_type is required/)
  isOAuthError(t, await tokenRequest(app, { grant_type: 'client_credentials' }), 'unsupported_grant_type')
  const json = await app.inject({ method: 'POST', url: '/auth/token', payload: { grant_type: 'password', username: 'a', password: 'b' } })
  isOAuthError(t, json, 'invalid_request', /application\/x-www-form-urlencoded/)
  const repeated = await app.inject({ method: 'POST', url: '/auth/token', headers: FORM, payload: 'grant_type=password&username=a&username=b&password=c' })
  isOAuthError(t, repeated, 'invalid_request', /username/)
})

t.test('a refresh token is exchanged once for new tokens; using it again revokes every token of that sign-in', async (t) => {
  const app = await build(t)
  await createUser(app, 'ada')
  const first = await signIn(app, 'ada', { scope: 'tasks:read tasks:write' })
  const refreshed = await tokenRequest(app, { grant_type: 'refresh_token', refresh_token: first.refresh_token, scope: 'tasks:read' })
  t.equal(refreshed.statusCode, 200)
  const second = refreshed.json()
  t.match(second, { scope: 'tasks:read', token_type: 'Bearer' }, 'a refresh may ask for fewer scopes')
  t.not(second.refresh_token, first.refresh_token, 'and gives a new refresh token')
  t.equal((await app.inject({ method: 'GET', url: '/tasks', headers: bearer(second.access_token) })).statusCode, 200)

  isOAuthError(t, await tokenRequest(app, { grant_type: 'refresh_token', refresh_token: second.refresh_token, scope: 'projects:read' }), 'invalid_scope', /only ask for scopes the refresh token was granted/)
  const third = (await tokenRequest(app, { grant_type: 'refresh_token', refresh_token: second.refresh_token })).json()
  t.equal(third.scope, 'tasks:read tasks:write', 'a refused scope leaves the token usable, and without scope every scope of the sign-in comes back')

  isOAuthError(t, await tokenRequest(app, { grant_type: 'refresh_token', refresh_token: first.refresh_token }), 'invalid_grant', /already used: every token that came from the same sign-in is now revoked/)
  isOAuthError(t, await tokenRequest(app, { grant_type: 'refresh_token', refresh_token: third.refresh_token }), 'invalid_grant', /unknown, expired or revoked/)
  isOAuthError(t, await tokenRequest(app, { grant_type: 'refresh_token', refresh_token: 'tapi_rt_made-up' }), 'invalid_grant')
})

t.test('repeated failed sign-ins for a username, or from an address, are refused for a while with a 429 and Retry-After', async (t) => {
  const app = await build(t, { LOGIN_MAX_FAILURES_PER_USER: '3', LOGIN_MAX_FAILURES_PER_IP: '5', LOGIN_FAILURE_WINDOW_MS: '60000' })
  await createUser(app, 'ada')
  await createUser(app, 'bob')
  for (let attempt = 0; attempt < 3; attempt++) await tokenRequest(app, { grant_type: 'password', username: 'ada', password: 'guess' })
  const throttled = await tokenRequest(app, { grant_type: 'password', username: 'ada', password: 'ada password' })
  t.equal(throttled.statusCode, 429, 'even the right password is refused meanwhile')
  t.equal(throttled.headers['content-type'], 'application/problem+json; charset=utf-8')
  t.match(throttled.json(), { type: 'https://example.com/errors/login-throttled', detail: /try again in \d+ seconds/ })
  t.ok(Number(throttled.headers['retry-after']) > 0 && Number(throttled.headers['retry-after']) <= 60, `Retry-After ${throttled.headers['retry-after']}`)
  t.equal((await tokenRequest(app, { grant_type: 'password', username: 'bob', password: 'bob password' })).statusCode, 200, 'another user signs in')
  await tokenRequest(app, { grant_type: 'password', username: 'nobody', password: 'x' })
  await tokenRequest(app, { grant_type: 'password', username: 'someone', password: 'x' })
  const fromAddress = await tokenRequest(app, { grant_type: 'password', username: 'bob', password: 'bob password' })
  t.equal(fromAddress.statusCode, 429, 'five failures from one address throttle it for every username')
})

t.test('a successful sign-in clears the username\'s failures, and the window passes', async (t) => {
  const app = await build(t, { LOGIN_MAX_FAILURES_PER_USER: '2', LOGIN_FAILURE_WINDOW_MS: '300' })
  await createUser(app, 'ada')
  await tokenRequest(app, { grant_type: 'password', username: 'ada', password: 'guess' })
  await signIn(app, 'ada')
  await tokenRequest(app, { grant_type: 'password', username: 'ada', password: 'guess' })
  t.equal((await tokenRequest(app, { grant_type: 'password', username: 'ada', password: 'ada password' })).statusCode, 200, 'one failure after a success is not two')
  await tokenRequest(app, { grant_type: 'password', username: 'ada', password: 'guess' })
  await tokenRequest(app, { grant_type: 'password', username: 'ada', password: 'guess' })
  t.equal((await tokenRequest(app, { grant_type: 'password', username: 'ada', password: 'ada password' })).statusCode, 429)
  await new Promise((resolve) => setTimeout(resolve, 350))
  t.equal((await tokenRequest(app, { grant_type: 'password', username: 'ada', password: 'ada password' })).statusCode, 200, 'once the window has passed')
})
