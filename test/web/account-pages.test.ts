import t, { type Test } from 'tap'
import { administratorToken, bearer, build, createUser, signIn } from '../helper.js'
import { PageVisitor, type VisitedPage } from './page-visitor.js'

type App = Awaited<ReturnType<typeof build>>

const COOKIE = 'task_api_session'

/** An app with sign-in (AUTH=on), and ada (password `ada password`) made by an administrator. */
async function withAda (t: Test, env: Record<string, string> = {}) {
  const app = await build(t, { AUTH: 'on', ...env })
  const admin = await administratorToken(app)
  await createUser(app, 'ada', { display_name: 'Ada Lovelace' }, admin)
  return { app, admin }
}

/** A visitor who signed in through the form. */
async function signedIn (app: App, username: string, password = `${username} password`): Promise<PageVisitor> {
  const visitor = new PageVisitor(app)
  const response = await visitor.submit('/web/sign-in', '/web/sign-in', { username, password })
  if (response.status !== 303) throw new Error(`signing in as ${username} failed with ${response.status}`)
  return visitor
}

/** The Set-Cookie line of the session cookie, if the response sets it. */
function sessionCookie (page: Pick<VisitedPage, 'headers'>): string | undefined {
  return [page.headers['set-cookie'] ?? []].flat().find((cookie) => cookie.startsWith(`${COOKIE}=`))
}

/** The attributes of a Set-Cookie line, lowercased, without the value. */
function cookieAttributes (line: string): string[] {
  return line.split(';').slice(1).map((attribute) => attribute.trim().toLowerCase())
}

/** Whether GET /web/tasks shows the tasks page (signed in) rather than sending to the sign-in form. */
async function seesTasks (visitor: PageVisitor): Promise<boolean> {
  const page = await visitor.get('/web/tasks')
  if (page.status === 303 && page.location === '/web/sign-in?next=%2Fweb%2Ftasks') return false
  if (page.status === 200) return true
  throw new Error(`GET /web/tasks answered ${page.status} ${page.location ?? ''}`)
}

t.test('a page asked for while signed out sends to the sign-in form, which remembers the page', async (t) => {
  const { app } = await withAda(t)
  const visitor = new PageVisitor(app)
  const tasks = await visitor.get('/web/tasks')
  t.same([tasks.status, tasks.location], [303, '/web/sign-in?next=%2Fweb%2Ftasks'])
  const form = await visitor.get(tasks.location as string)
  t.equal(form.status, 200)
  t.equal(form.text('h1'), 'Sign in')
  t.equal(form.value('username'), '')
  t.equal(form.value('password'), '')
  t.equal(form.html.querySelector('input[name=password]')?.getAttribute('type'), 'password')
  t.equal(form.value('next'), '/web/tasks', 'the page asked for is carried in a hidden field')
  t.match(form.value('_csrf'), /^.{16,}$/, 'the form carries a CSRF token')
  t.notOk(form.body.includes('/web/sign-up'), 'no link to sign up unless registration is open')
})

t.test('with AUTH=off there are no sign-in pages and every page acts as the local administrator', async (t) => {
  const app = await build(t, { AUTH: 'off', REGISTRATION: 'open' })
  const visitor = new PageVisitor(app)
  for (const url of ['/web/sign-in', '/web/sign-up']) {
    const page = await visitor.get(url)
    t.equal(page.status, 404, url)
    t.equal(page.text('h1'), 'Page not found', url)
  }
  const tasks = await visitor.get('/web/tasks')
  t.equal(tasks.status, 200)
  t.equal(tasks.text('.who'), 'Signed in as local')
  t.notOk(tasks.html.querySelector('form[action="/web/sign-out"]'), 'nobody signs out')
})

t.test('a sign-in form with empty fields is a 422 with a message for each', async (t) => {
  const { app } = await withAda(t)
  const visitor = new PageVisitor(app)
  const page = await visitor.submit('/web/sign-in', '/web/sign-in', { username: '  ', password: '' })
  t.equal(page.status, 422)
  t.same(page.errorSummary(), ['Username is required', 'Password is required'])
  t.equal(page.html.querySelector('#username')?.getAttribute('aria-invalid'), 'true')
  t.equal(page.html.querySelector('#password')?.getAttribute('aria-invalid'), 'true')
  t.equal(await seesTasks(visitor), false, 'still signed out')
})

t.test('a wrong password is a 422 that keeps the username, never the password, and signs nobody in', async (t) => {
  const { app } = await withAda(t)
  const visitor = new PageVisitor(app)
  const attempts: Array<[string, string]> = [['ada', 'not the password'], ['nobody', 'nobody password']]
  for (const [username, password] of attempts) {
    const page = await visitor.submit('/web/sign-in?next=%2Fweb%2Fprojects', '/web/sign-in', { username, password })
    t.equal(page.status, 422, username)
    t.equal(page.value('username'), username, 'the username is kept')
    t.equal(page.value('password'), '', 'the password field is empty')
    t.notOk(page.body.includes(password), 'the password is nowhere in the page')
    t.same(page.errorSummary(), ['The username or password is wrong, or the user is disabled'], 'the same message whether or not the user exists')
    t.equal(page.value('next'), '/web/projects', 'the page to go to is kept')
  }
  t.equal(await seesTasks(visitor), false)
})

t.test('the right password signs in with a new session cookie, goes to `next`, and the next page says so once', async (t) => {
  const { app } = await withAda(t)
  const visitor = new PageVisitor(app)
  const form = await visitor.get('/web/sign-in?next=%2Fweb%2Fprojects%3Fx%3D1')
  const before = visitor.cookie
  t.ok(before?.startsWith(`${COOKIE}=`), 'the form page has a session (for its CSRF token)')
  const signedInPage = await visitor.post('/web/sign-in', { username: ' ADA ', password: 'ada password', next: form.value('next') as string })
  t.same([signedInPage.status, signedInPage.location], [303, '/web/projects?x=1'])
  t.ok(sessionCookie(signedInPage), 'a session cookie is set')
  t.not(visitor.cookie, before, 'a new session')
  const next = await visitor.get(signedInPage.location as string)
  t.equal(next.status, 200)
  t.equal(next.text('.flash'), 'Signed in as ada.')
  t.equal(next.text('.who'), 'Signed in as ada')
  const after = await visitor.get('/web/projects')
  t.equal(after.status, 200)
  t.equal(after.html.querySelectorAll('.flash').length, 0, 'the message is shown once')
  const again = await visitor.get('/web/sign-in?next=%2Fweb%2Fprojects')
  t.same([again.status, again.location], [303, '/web/projects'], 'the sign-in form sends someone signed in on')
})

t.test('sign-in follows only a local /web/ page as `next`', async (t) => {
  const { app } = await withAda(t)
  const cases: Array<[string, string]> = [
    ['/web/projects', '/web/projects'],
    ['/web/tasks?status=done&q=a%20b', '/web/tasks?status=done&q=a%20b'],
    ['/web/../health', '/web/tasks'],
    ['//evil.example', '/web/tasks'],
    ['//evil.example/web/x', '/web/tasks'],
    ['https://evil.example/web/x', '/web/tasks'],
    ['/\\evil.example/web/x', '/web/tasks'],
    ['/health', '/web/tasks'],
    ['/webby', '/web/tasks'],
    ['', '/web/tasks']
  ]
  for (const [next, location] of cases) {
    const visitor = new PageVisitor(app)
    const form = await visitor.get(`/web/sign-in?next=${encodeURIComponent(next)}`)
    t.equal(form.value('next'), location, `the form's next for ${JSON.stringify(next)}`)
    const sent = await visitor.post('/web/sign-in', { username: 'ada', password: 'ada password', next })
    t.same([sent.status, sent.location], [303, location], `next=${JSON.stringify(next)}`)
  }
})

t.test('wrong passwords are throttled as for POST /auth/token: 429 with Retry-After and the form again', async (t) => {
  const { app } = await withAda(t, { LOGIN_MAX_FAILURES_PER_USER: '2' })
  const visitor = new PageVisitor(app)
  for (let attempt = 1; attempt <= 2; attempt++) {
    t.equal((await visitor.submit('/web/sign-in', '/web/sign-in', { username: 'ada', password: 'wrong password' })).status, 422, `wrong password ${attempt}`)
  }
  const throttled = await visitor.submit('/web/sign-in', '/web/sign-in', { username: 'ada', password: 'ada password' })
  t.equal(throttled.status, 429, 'even the right password is refused for now')
  t.match(throttled.headers['retry-after'], /^[1-9]\d*$/)
  t.equal(throttled.text('h1'), 'Sign in', 'the form again')
  t.equal(throttled.value('username'), 'ada')
  t.equal(throttled.value('password'), '')
  t.match(throttled.errorSummary(), [/^Too many wrong passwords .*try again in \d+ seconds\.$/])
  t.equal(await seesTasks(visitor), false)
  const token = await app.inject({
    method: 'POST',
    url: '/auth/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: 'grant_type=password&username=ada&password=ada+password'
  })
  t.equal(token.statusCode, 429, 'the API counts the same failures')
})

t.test('failures at POST /auth/token count against the sign-in form too', async (t) => {
  const { app } = await withAda(t, { LOGIN_MAX_FAILURES_PER_USER: '1' })
  await app.inject({ method: 'POST', url: '/auth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'grant_type=password&username=ada&password=wrong+password' })
  const page = await new PageVisitor(app).submit('/web/sign-in', '/web/sign-in', { username: 'ada', password: 'ada password' })
  t.equal(page.status, 429)
  t.ok(page.headers['retry-after'])
})

t.test('the session cookie is HttpOnly, SameSite=Lax, Path=/web, and Secure only over HTTPS', async (t) => {
  const { app } = await withAda(t, { TRUST_PROXY: 'true' })
  const plain = new PageVisitor(app)
  await plain.get('/web/sign-in')
  const plainCookie = sessionCookie(await plain.post('/web/sign-in', { username: 'ada', password: 'ada password' }))
  t.ok(plainCookie, 'signing in sets it')
  const plainAttributes = cookieAttributes(plainCookie as string)
  t.ok(plainAttributes.includes('httponly'))
  t.ok(plainAttributes.includes('samesite=lax'))
  t.ok(plainAttributes.includes('path=/web'))
  t.notOk(plainAttributes.includes('secure'), 'not Secure over plain HTTP, or the browser would drop it')
  const https = new PageVisitor(app, { 'x-forwarded-proto': 'https' })
  await https.get('/web/sign-in')
  const httpsCookie = sessionCookie(await https.post('/web/sign-in', { username: 'ada', password: 'ada password' }))
  const httpsAttributes = cookieAttributes(httpsCookie as string)
  t.ok(httpsAttributes.includes('secure'), 'Secure when the request came over HTTPS')
  t.ok(httpsAttributes.includes('httponly'))
  t.ok(httpsAttributes.includes('samesite=lax'))
  t.ok(httpsAttributes.includes('path=/web'))
  t.equal(await seesTasks(https), true)
})

t.test('a sign-in lasts SESSION_TTL_SECONDS from its last page: every page sets the cookie again with that lifetime', async (t) => {
  const { app } = await withAda(t, { SESSION_TTL_SECONDS: '600' })
  const visitor = await signedIn(app, 'ada')
  for (const url of ['/web/tasks', '/web/projects']) {
    const cookie = sessionCookie(await visitor.get(url))
    t.ok(cookie, `${url} renews the session`)
    t.ok(cookieAttributes(cookie as string).includes('max-age=600'), `${url}: for SESSION_TTL_SECONDS more`)
  }
})

t.test('without TRUST_PROXY, x-forwarded-proto is not believed and the cookie is not Secure', async (t) => {
  const { app } = await withAda(t)
  const visitor = new PageVisitor(app, { 'x-forwarded-proto': 'https' })
  await visitor.get('/web/sign-in')
  const cookie = sessionCookie(await visitor.post('/web/sign-in', { username: 'ada', password: 'ada password' }))
  t.notOk(cookieAttributes(cookie as string).includes('secure'))
})

t.test('API routes never set the session cookie', async (t) => {
  const { app, admin } = await withAda(t)
  const visitor = await signedIn(app, 'ada')
  const requests = [
    { method: 'GET' as const, url: '/health' },
    { method: 'GET' as const, url: '/nothing-here' },
    { method: 'GET' as const, url: '/tasks', headers: bearer(admin) },
    { method: 'GET' as const, url: '/tasks', headers: { cookie: visitor.cookie as string } },
    { method: 'POST' as const, url: '/auth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'grant_type=password&username=ada&password=ada+password' }
  ]
  for (const request of requests) {
    const response = await app.inject(request)
    t.notOk(sessionCookie(response), `${request.method} ${request.url} (${response.statusCode})`)
  }
  t.equal((await app.inject({ method: 'GET', url: '/tasks', headers: { cookie: visitor.cookie as string } })).statusCode, 401, 'the cookie is no credential for the API')
})

t.test('signing out ends the session and goes to the sign-in form', async (t) => {
  const { app } = await withAda(t)
  const visitor = await signedIn(app, 'ada')
  const tasks = await visitor.get('/web/tasks')
  t.ok(tasks.html.querySelector('form[action="/web/sign-out"]'), 'every page has a sign-out button')
  const out = await visitor.submit('/web/tasks', '/web/sign-out', {})
  t.same([out.status, out.location], [303, '/web/sign-in'])
  const form = await visitor.get('/web/sign-in')
  t.equal(form.text('.flash'), 'Signed out.')
  t.notOk(form.text('.who'), 'nobody is shown signed in')
  t.equal(await seesTasks(visitor), false, 'the cookie the visitor holds now signs nobody in')
})

t.test('signing out ends every page session of the user, a copied cookie included, but not their tokens', async (t) => {
  const { app } = await withAda(t)
  const visitor = await signedIn(app, 'ada')
  const otherBrowser = await signedIn(app, 'ada')
  const copy = new PageVisitor(app)
  copy.cookie = visitor.cookie
  t.equal(await seesTasks(copy), true, 'a copy of the cookie works while the session lasts')
  const token = (await signIn(app, 'ada')).access_token
  await visitor.submit('/web/tasks', '/web/sign-out', {})
  t.equal(await seesTasks(copy), false, 'the copy taken before signing out no longer does')
  t.equal(await seesTasks(otherBrowser), false, 'nor another browser\'s session')
  t.equal((await app.inject({ url: '/tasks', headers: bearer(token) })).statusCode, 200, 'tokens still work')
  const again = await signedIn(app, 'ada')
  t.equal(await seesTasks(again), true, 'signing in again works')
})

t.test('a user disabled by an administrator is signed out on their next page request', async (t) => {
  const { app, admin } = await withAda(t)
  const visitor = await signedIn(app, 'ada')
  t.equal(await seesTasks(visitor), true)
  const signedInCookie = visitor.cookie
  const disabled = await app.inject({ method: 'PATCH', url: '/admin/users/ada', headers: bearer(admin), payload: { disabled: true } })
  t.equal(disabled.statusCode, 200)
  t.equal(await seesTasks(visitor), false)
  const again = await visitor.submit('/web/sign-in', '/web/sign-in', { username: 'ada', password: 'ada password' })
  t.equal(again.status, 422, 'and cannot sign in again')
  await app.inject({ method: 'PATCH', url: '/admin/users/ada', headers: bearer(admin), payload: { disabled: false } })
  visitor.cookie = signedInCookie
  t.equal(await seesTasks(visitor), false, 'enabling the user again does not bring back the session of before')
})

t.test('a user whose password changed is signed out on their next page request', async (t) => {
  const { app } = await withAda(t)
  const visitor = await signedIn(app, 'ada')
  const { access_token: token } = await signIn(app, 'ada')
  const changed = await app.inject({ method: 'PATCH', url: '/users/me', headers: bearer(token), payload: { password: 'a new password', current_password: 'ada password' } })
  t.equal(changed.statusCode, 200)
  t.equal(await seesTasks(visitor), false)
  t.equal((await visitor.submit('/web/sign-in', '/web/sign-in', { username: 'ada', password: 'ada password' })).status, 422, 'the old password no longer works')
  t.equal((await visitor.submit('/web/sign-in', '/web/sign-in', { username: 'ada', password: 'a new password' })).status, 303, 'the new one does')
  t.equal(await seesTasks(visitor), true)
})

t.test('a sign-in form without a valid CSRF token is refused with a 403 page, and nobody is signed in', async (t) => {
  const { app } = await withAda(t)
  const other = new PageVisitor(app)
  await other.get('/web/sign-in')
  const visitor = new PageVisitor(app)
  await visitor.get('/web/sign-in')
  const tokens: Array<[string, string | undefined]> = [['missing', undefined], ['empty', ''], ['of another session', other.csrf]]
  for (const [name, token] of tokens) {
    const fields = { username: 'ada', password: 'ada password', ...(token === undefined ? {} : { _csrf: token }) }
    const saved = visitor.csrf
    if (token === undefined) visitor.csrf = undefined
    const page = await visitor.post('/web/sign-in', fields)
    visitor.csrf = saved
    t.equal(page.status, 403, `token ${name}`)
    t.equal(page.text('h1'), 'This form has expired', `token ${name}`)
    t.match(page.headers['content-type'], /^text\/html/)
    t.equal(await seesTasks(visitor), false, `token ${name}: nobody signed in`)
  }
  t.equal((await visitor.submit('/web/sign-in', '/web/sign-in', { username: 'ada', password: 'ada password' })).status, 303, 'with its own token the form works')
})

t.test('a sign-out without a valid CSRF token is refused with a 403 page, and the session stays', async (t) => {
  const { app } = await withAda(t)
  const visitor = await signedIn(app, 'ada')
  await visitor.get('/web/tasks')
  const saved = visitor.csrf
  visitor.csrf = undefined
  const page = await visitor.post('/web/sign-out')
  visitor.csrf = saved
  t.equal(page.status, 403)
  t.equal(page.text('h1'), 'This form has expired')
  t.equal(await seesTasks(visitor), true, 'still signed in')
})

t.test('the CSRF token of the form one signed in with is no good afterwards: signing in makes a new session', async (t) => {
  const { app } = await withAda(t)
  const visitor = new PageVisitor(app)
  await visitor.get('/web/sign-in')
  const before = visitor.csrf as string
  await visitor.post('/web/sign-in', { username: 'ada', password: 'ada password' })
  const page = await visitor.post('/web/sign-out', { _csrf: before })
  t.equal(page.status, 403)
  t.equal(await seesTasks(visitor), true)
})

t.test('every page has a Content-Security-Policy that allows no inline script', async (t) => {
  const { app } = await withAda(t, { REGISTRATION: 'open' })
  const visitor = new PageVisitor(app)
  const pages = [await visitor.get('/web/tasks'), await visitor.get('/web/sign-in'), await visitor.get('/web/sign-up'), await visitor.post('/web/sign-in', { _csrf: 'forged' })]
  const signedInVisitor = await signedIn(app, 'ada')
  pages.push(await signedInVisitor.get('/web/tasks'), await signedInVisitor.get('/web/projects'), await signedInVisitor.get('/web/nothing-here'))
  t.same(pages.map((page) => page.status), [303, 200, 200, 403, 200, 200, 404])
  for (const page of pages) {
    const policy = String(page.headers['content-security-policy'])
    t.match(policy, /script-src 'self'/, `${page.status} ${page.text('h1')}`)
    t.notMatch(policy, /unsafe-inline/, `${page.status} ${page.text('h1')}`)
  }
})

t.test('with REGISTRATION=admin (the default) the sign-up form is not found, and nobody can sign up', async (t) => {
  const { app, admin } = await withAda(t)
  const visitor = new PageVisitor(app)
  await visitor.get('/web/sign-in')
  const get = await visitor.get('/web/sign-up')
  t.equal(get.status, 404, 'signed out')
  t.equal(get.text('h1'), 'Page not found')
  const post = await visitor.post('/web/sign-up', { display_name: 'Grace Hopper', username: 'grace', email: 'grace@example.com', password: 'grace password' })
  t.equal(post.status, 404, 'signed out')
  t.equal((await app.inject({ method: 'GET', url: '/admin/users/grace', headers: bearer(admin) })).statusCode, 404, 'nobody was made')
  const ada = await signedIn(app, 'ada')
  t.equal((await ada.get('/web/sign-up')).status, 404, 'signed in')
})

t.test('with REGISTRATION=open the sign-in form links to a sign-up form with its fields', async (t) => {
  const { app } = await withAda(t, { REGISTRATION: 'open' })
  const visitor = new PageVisitor(app)
  const signInForm = await visitor.get('/web/sign-in')
  t.ok(signInForm.html.querySelector('a[href="/web/sign-up"]'))
  const form = await visitor.get('/web/sign-up')
  t.equal(form.status, 200)
  t.equal(form.text('h1'), 'Create an account')
  t.equal(form.text('label[for=display_name]'), 'Name')
  for (const field of ['display_name', 'username', 'email', 'password', '_csrf']) t.not(form.value(field), undefined, field)
  t.equal(form.html.querySelector('#password')?.getAttribute('type'), 'password')
  t.same(form.errorSummary(), [])
})

t.test('a sign-up with wrong fields is a 422 with a message for each, in the form\'s order, and keeps every value but the password', async (t) => {
  const { app, admin } = await withAda(t, { REGISTRATION: 'open' })
  const usernames = async () => (await app.inject({ method: 'GET', url: '/admin/users', headers: bearer(admin) })).json().items.map((user: { username: string }) => user.username)
  const before = await usernames()
  const visitor = new PageVisitor(app)
  const page = await visitor.submit('/web/sign-up', '/web/sign-up', { display_name: '  G  ', username: 'Grace!', email: 'not-an-email', password: 'short' })
  t.equal(page.status, 422)
  t.same(page.errorSummary(), [
    'Name must be at least 2 characters',
    'Username must be 3-39 lowercase letters, digits, _ or -',
    'Email must be an email address, like ada@example.com',
    'Password must be at least 8 characters'
  ], 'in the order of the fields on the form')
  for (const field of ['display_name', 'username', 'email', 'password']) {
    t.equal(page.html.querySelector(`#${field}`)?.getAttribute('aria-invalid'), 'true', `${field} is marked invalid`)
    t.ok(page.text(`#${field}-error`), `${field} has its message beside it`)
  }
  t.equal(page.value('display_name'), 'G')
  t.equal(page.value('username'), 'Grace!')
  t.equal(page.value('email'), 'not-an-email')
  t.equal(page.value('password'), '', 'the password is not sent back')
  t.notOk(page.body.includes('value="short"'))
  t.equal(await seesTasks(visitor), false, 'nobody signed in')
  t.same(await usernames(), before, 'nobody was made')
})

t.test('a sign-up with empty fields names each field; a good field is not marked', async (t) => {
  const { app } = await withAda(t, { REGISTRATION: 'open' })
  const visitor = new PageVisitor(app)
  const page = await visitor.submit('/web/sign-up', '/web/sign-up', { display_name: '   ', username: 'grace', email: '', password: '' })
  t.equal(page.status, 422)
  t.equal(page.errorSummary().length, 3)
  t.match(page.text('#display_name-error'), /Name/)
  t.match(page.text('#email-error'), /Email/)
  t.match(page.text('#password-error'), /Password/)
  t.equal(page.html.querySelector('#username')?.getAttribute('aria-invalid'), undefined)
  t.equal(page.value('username'), 'grace')
})

t.test('a sign-up with a username or email already taken is a 422 naming the field', async (t) => {
  const { app, admin } = await withAda(t, { REGISTRATION: 'open' })
  const visitor = new PageVisitor(app)
  const fields = { display_name: 'Grace Hopper', password: 'grace password' }
  const username = await visitor.submit('/web/sign-up', '/web/sign-up', { ...fields, username: 'ada', email: 'grace@example.com' })
  t.equal(username.status, 422)
  t.same(username.errorSummary(), ['Username is taken; choose another'])
  t.equal(username.html.querySelector('#username')?.getAttribute('aria-invalid'), 'true')
  t.same([username.value('display_name'), username.value('username'), username.value('email'), username.value('password')], ['Grace Hopper', 'ada', 'grace@example.com', ''])
  const email = await visitor.submit('/web/sign-up', '/web/sign-up', { ...fields, username: 'grace', email: 'ADA@example.com' })
  t.equal(email.status, 422)
  t.same(email.errorSummary(), ['Email belongs to another account already'])
  t.equal(email.html.querySelector('#email')?.getAttribute('aria-invalid'), 'true')
  t.equal(await seesTasks(visitor), false)
  const grace = await app.inject({ method: 'GET', url: '/admin/users/grace', headers: bearer(admin) })
  t.equal(grace.statusCode, 404, 'nobody was made')
  const ada = await app.inject({ method: 'GET', url: '/admin/users/ada', headers: bearer(admin) })
  t.match(ada.json(), { display_name: 'Ada Lovelace', email: 'ada@example.com' }, 'ada is as she was')
})

t.test('signing up signs the new member in, welcomes them, and the account works with the API', async (t) => {
  const { app, admin } = await withAda(t, { REGISTRATION: 'open' })
  const visitor = new PageVisitor(app)
  const created = await visitor.submit('/web/sign-up', '/web/sign-up', { display_name: '  Grace Hopper ', username: 'grace', email: 'grace@example.com', password: 'grace password' })
  t.same([created.status, created.location], [303, '/web/tasks'])
  const tasks = await visitor.get('/web/tasks')
  t.equal(tasks.status, 200)
  t.equal(tasks.text('.flash'), 'Welcome, Grace Hopper! Your account is ready.')
  t.equal(tasks.text('.who'), 'Signed in as grace')
  t.equal((await visitor.get('/web/tasks')).html.querySelectorAll('.flash').length, 0, 'welcomed once')
  const user = await app.inject({ method: 'GET', url: '/admin/users/grace', headers: bearer(admin) })
  t.match(user.json(), { username: 'grace', display_name: 'Grace Hopper', email: 'grace@example.com', role: 'member', disabled: false })
  const { access_token: token } = await signIn(app, 'grace', { password: 'grace password' })
  const task = await app.inject({ method: 'POST', url: '/tasks', headers: bearer(token), payload: { title: 'First' } })
  t.match([task.statusCode, task.json()], [201, { created_by: 'grace' }])
  const signUpAgain = await visitor.get('/web/sign-up')
  t.same([signUpAgain.status, signUpAgain.location], [303, '/web/tasks'], 'someone signed in is sent on from the sign-up form')
})

t.test('a sign-up without a valid CSRF token is refused with a 403 page, and nobody is made', async (t) => {
  const { app, admin } = await withAda(t, { REGISTRATION: 'open' })
  const other = new PageVisitor(app)
  await other.get('/web/sign-up')
  const visitor = new PageVisitor(app)
  await visitor.get('/web/sign-up')
  const page = await visitor.post('/web/sign-up', { _csrf: other.csrf as string, display_name: 'Grace Hopper', username: 'grace', email: 'grace@example.com', password: 'grace password' })
  t.equal(page.status, 403)
  t.equal(page.text('h1'), 'This form has expired')
  t.equal(await seesTasks(visitor), false)
  t.equal((await app.inject({ method: 'GET', url: '/admin/users/grace', headers: bearer(admin) })).statusCode, 404, 'nobody was made')
})
