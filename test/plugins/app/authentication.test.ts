import t from 'tap'
import { generateKeyPairSync } from 'node:crypto'
import { SCOPE_NAMES } from '../../../src/schemas/token.js'
import { administratorToken, bearer, build, craftJwt, createUser, signIn, temporaryDirectory } from '../../helper.js'

const JWT_SECRET = 'a secret of at least thirty-two characters'
const now = () => Math.floor(Date.now() / 1000)

/** An app with AUTH=on, a member ann, and claims for her tokens. */
async function signedInWorld (t: Parameters<typeof build>[0], env: Record<string, string> = {}) {
  const app = await build(t, { AUTH: 'on', JWT_SECRET, ...env })
  const admin = await administratorToken(app)
  await createUser(app, 'ann', {}, admin)
  const ann = await app.db.users.findByUsername('ann')
  const claims = (fields: Record<string, unknown> = {}) => ({ sub: String(ann?.id), scope: SCOPE_NAMES.join(' '), gen: 1, iss: 'task-api', aud: 'task-api', iat: now(), exp: now() + 600, ...fields })
  return { app, admin, claims }
}

t.test('with AUTH=on a request without a token is a 401 problem with WWW-Authenticate: Bearer', async (t) => {
  const app = await build(t, { AUTH: 'on' })
  const response = await app.inject({ method: 'GET', url: '/tasks' })
  t.equal(response.statusCode, 401)
  t.equal(response.headers['www-authenticate'], 'Bearer realm="task-api"')
  t.match(response.json(), { type: 'https://example.com/errors/authentication-required', status: 401, detail: /Authorization: Bearer/ })
  t.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8')
})

t.test('the public routes answer without a token, and ignore a bad one', async (t) => {
  const app = await build(t, { AUTH: 'on' })
  for (const url of ['/health', '/openapi.json', '/docs/']) {
    for (const headers of [{}, { authorization: 'Bearer garbage' }, { authorization: 'Basic YTpi' }]) {
      t.equal((await app.inject({ method: 'GET', url, headers })).statusCode, 200, `${url} with ${JSON.stringify(headers)}`)
    }
  }
  const unknown = await app.inject({ method: 'GET', url: '/nowhere' })
  t.equal(unknown.statusCode, 404, 'an unknown route is not found, signed in or not')
})

t.test('tokens that are not this API\'s are refused with 401 invalid_token: none, another algorithm, another key, altered, expired, not yet valid, other issuer', async (t) => {
  const { app, claims } = await signedInWorld(t)
  const good = craftJwt(JWT_SECRET, claims())
  t.equal((await app.inject({ method: 'GET', url: '/users/me', headers: bearer(good) })).statusCode, 200, 'a well-made token works (the control)')
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString()
  const [header, payload] = good.split('.')
  const cases: Array<[string, string]> = [
    ['alg none', craftJwt(JWT_SECRET, claims(), { alg: 'none', typ: 'JWT' })],
    ['alg none with the signature kept', `${craftJwt(JWT_SECRET, claims(), { alg: 'none', typ: 'JWT' })}${good.split('.')[2]}`],
    ['HS512 with the right key (only HS256 is accepted)', craftJwt(JWT_SECRET, claims(), { alg: 'HS512', typ: 'JWT' })],
    ['RS256 claimed, signed with a public key as the HMAC secret', craftJwt(publicPem, claims(), { alg: 'RS256', typ: 'JWT' })],
    ['signed with another key', craftJwt('another secret of thirty-two characters!', claims())],
    ['payload altered after signing', `${header}.${Buffer.from(JSON.stringify(claims({ scope: 'users:admin' }))).toString('base64url')}.${good.split('.')[2]}`],
    ['signature cut', `${header}.${payload}.`],
    ['expired', craftJwt(JWT_SECRET, claims({ iat: now() - 7200, exp: now() - 3600 }))],
    ['not valid yet (nbf)', craftJwt(JWT_SECRET, claims({ nbf: now() + 3600 }))],
    ['without exp', craftJwt(JWT_SECRET, { ...claims(), exp: undefined })],
    ['another issuer', craftJwt(JWT_SECRET, claims({ iss: 'someone-else' }))],
    ['another audience', craftJwt(JWT_SECRET, claims({ aud: 'someone-else' }))],
    ['claims of another shape', craftJwt(JWT_SECRET, claims({ sub: 'ann', gen: 'one' }))],
    ['a user that does not exist', craftJwt(JWT_SECRET, claims({ sub: '9999' }))],
    ['an old credentials generation', craftJwt(JWT_SECRET, claims({ gen: 0 }))],
    ['not a JWT at all', 'garbage'],
    ['a refresh token used as an access token', (await signIn(app, 'ann')).refresh_token],
    ['a personal token that was never issued', 'tapi_pat_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA']
  ]
  for (const [name, token] of cases) {
    const response = await app.inject({ method: 'GET', url: '/users/me', headers: bearer(token) })
    t.equal(response.statusCode, 401, name)
    t.match(response.headers['www-authenticate'], /^Bearer realm="task-api", error="invalid_token", error_description="[^"]+"$/, `${name}: WWW-Authenticate says why`)
    t.equal(response.json().type, 'https://example.com/errors/invalid-token', name)
  }
  const expired = await app.inject({ method: 'GET', url: '/users/me', headers: bearer(craftJwt(JWT_SECRET, claims({ iat: now() - 7200, exp: now() - 3600 }))) })
  t.match(expired.json().detail, /expired/, 'an expired token is called that')
})

t.test('a malformed Authorization header is a 401, never a 500 or a 400', async (t) => {
  const app = await build(t, { AUTH: 'on' })
  for (const authorization of ['Bearer', 'Bearer ', 'Bearer a b', 'Basic YWRtaW46cGFzcw==', 'Token abc', 'bearer', '', 'Bearer \u00e9t\u00e9', `Bearer ${'x'.repeat(8000)}`]) {
    const response = await app.inject({ method: 'GET', url: '/tasks', headers: { authorization } })
    t.equal(response.statusCode, 401, JSON.stringify(authorization.slice(0, 30)))
    t.match(response.headers['www-authenticate'], /error="invalid_token"/)
  }
  const lowercase = await app.inject({ method: 'GET', url: '/users/me', headers: { authorization: `bearer ${await administratorToken(app)}` } })
  t.equal(lowercase.statusCode, 200, 'the scheme is case-insensitive (RFC 7235)')
})

t.test('a token without the scope an operation needs is a 403 insufficient-scope naming it', async (t) => {
  const { app, claims } = await signedInWorld(t)
  const readOnly = craftJwt(JWT_SECRET, claims({ scope: 'tasks:read' }))
  t.equal((await app.inject({ method: 'GET', url: '/tasks', headers: bearer(readOnly) })).statusCode, 200)
  const write = await app.inject({ method: 'POST', url: '/tasks', headers: bearer(readOnly), payload: { title: 'x' } })
  t.equal(write.statusCode, 403)
  t.equal(write.headers['www-authenticate'], 'Bearer realm="task-api", error="insufficient_scope", scope="tasks:write"')
  t.match(write.json(), { type: 'https://example.com/errors/insufficient-scope', detail: /tasks:write/ })
  const adminOnly = craftJwt(JWT_SECRET, claims({ scope: 'users:admin tasks:read' }))
  const promoted = await app.inject({ method: 'GET', url: '/admin/users', headers: bearer(adminOnly) })
  t.equal(promoted.statusCode, 403, 'a member\'s token never carries users:admin, whatever it claims')
})

t.test('disabling a user or changing their password ends their tokens at once', async (t) => {
  const { app, admin } = await signedInWorld(t)
  const { access_token: access, refresh_token: refresh } = await signIn(app, 'ann')
  const pat = (await app.inject({ method: 'POST', url: '/users/me/tokens', headers: bearer(access), payload: { name: 'script', scopes: ['tasks:read'] } })).json().token
  for (const token of [access, pat]) t.equal((await app.inject({ method: 'GET', url: '/tasks', headers: bearer(token) })).statusCode, 200, 'works before')

  await app.inject({ method: 'PATCH', url: '/admin/users/ann', headers: bearer(admin), payload: { disabled: true } })
  for (const token of [access, pat]) t.equal((await app.inject({ method: 'GET', url: '/tasks', headers: bearer(token) })).statusCode, 401, 'refused once she is disabled')
  const refreshed = await app.inject({ method: 'POST', url: '/auth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `grant_type=refresh_token&refresh_token=${refresh}` })
  t.match([refreshed.statusCode, refreshed.json().error], [400, 'invalid_grant'], 'her refresh token too')

  await app.inject({ method: 'PATCH', url: '/admin/users/ann', headers: bearer(admin), payload: { disabled: false } })
  for (const token of [access, pat]) t.equal((await app.inject({ method: 'GET', url: '/tasks', headers: bearer(token) })).statusCode, 401, 'and enabling her again does not bring them back')

  const again = (await signIn(app, 'ann')).access_token
  t.equal((await app.inject({ method: 'GET', url: '/tasks', headers: bearer(again) })).statusCode, 200, 'a new sign-in works')
  await app.inject({ method: 'PATCH', url: '/users/me', headers: bearer(again), payload: { password: 'a new password', current_password: 'ann password' } })
  t.equal((await app.inject({ method: 'GET', url: '/tasks', headers: bearer(again) })).statusCode, 401, 'a password change ends the token it was made with')
})

t.test('with AUTH=on nobody acts as the built-in local user, not even with its personal token', async (t) => {
  const file = `${temporaryDirectory(t)}/tasks.db`
  const open = await build(t, { DATABASE_URL: file })
  const token = (await open.inject({ method: 'POST', url: '/users/me/tokens', payload: { name: 'local script', scopes: ['tasks:read'] } })).json().token as string
  t.equal((await open.inject({ method: 'GET', url: '/users/me', headers: bearer(token) })).json().username, 'local', 'with AUTH=off the token is the local user\'s')
  await open.close()
  const closed = await build(t, { DATABASE_URL: file, AUTH: 'on' })
  const response = await closed.inject({ method: 'GET', url: '/users/me', headers: bearer(token) })
  t.equal(response.statusCode, 401)
  t.match(response.json().detail, /local user/)
})

t.test('with AUTH=off a token that is sent is checked all the same', async (t) => {
  const app = await build(t)
  t.equal((await app.inject({ method: 'GET', url: '/tasks', headers: bearer('garbage') })).statusCode, 401)
  await createUser(app, 'ann')
  const { access_token: token } = await signIn(app, 'ann', { scope: 'tasks:read' })
  t.equal((await app.inject({ method: 'GET', url: '/users/me', headers: bearer(token) })).json().username, 'ann', 'the request is ann\'s, not the local user\'s')
  t.equal((await app.inject({ method: 'POST', url: '/tasks', headers: bearer(token), payload: { title: 'x' } })).statusCode, 403, 'with her token\'s scopes')
  t.equal((await app.inject({ method: 'POST', url: '/tasks', payload: { title: 'x' } })).statusCode, 201, 'and without a token, the local administrator')
})

t.test('the OpenAPI document declares both security schemes and each operation\'s scope', async (t) => {
  for (const mode of ['on', 'off'] as const) {
    const app = await build(t, { AUTH: mode })
    const document = (await app.inject({ method: 'GET', url: '/openapi.json' })).json()
    t.match(document.components.securitySchemes, {
      oauth2: { type: 'oauth2', flows: { password: { tokenUrl: '/auth/token', refreshUrl: '/auth/token', scopes: { 'tasks:read': String, 'users:admin': String } } } },
      bearerAuth: { type: 'http', scheme: 'bearer' }
    })
    const anonymous = mode === 'off' ? [{}] : []
    t.same(document.paths['/tasks'].post.security, [...anonymous, { oauth2: ['tasks:write'] }, { bearerAuth: ['tasks:write'] }], `createTask needs tasks:write (AUTH=${mode})`)
    t.same(document.paths['/users/me'].get.security, [...anonymous, { oauth2: [] }, { bearerAuth: [] }], 'getMe needs a token of any scope')
    t.same(document.paths['/auth/token'].post.security, [], 'signing in needs nothing')
    t.same(document.paths['/health'].get.security, [])
    t.same(Object.keys(document.paths['/tasks'].post.responses['401'].headers), ['WWW-Authenticate'])
    t.match(document.paths['/tasks'].post.responses['403'].description, /Forbidden, or insufficient scope/)
  }
})

t.test('a token verified once is still refused once it expires', async (t) => {
  const app = await build(t, { ACCESS_TOKEN_TTL_SECONDS: '1' })
  await createUser(app, 'ada')
  // A token's exp is in whole seconds: signed just after a second begins, it works for nearly all of that second.
  await new Promise((resolve) => setTimeout(resolve, 1000 - Date.now() % 1000))
  const { access_token: token } = await signIn(app, 'ada')
  t.equal((await app.inject({ method: 'GET', url: '/users/me', headers: bearer(token) })).statusCode, 200, 'verified, and remembered')
  await new Promise((resolve) => setTimeout(resolve, 1100))
  const expired = await app.inject({ method: 'GET', url: '/users/me', headers: bearer(token) })
  t.match([expired.statusCode, expired.json().detail], [401, /expired/])
})
