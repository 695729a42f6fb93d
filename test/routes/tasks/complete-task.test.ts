import t from 'tap'
import { administratorToken, bearer, build, createTask, createUser, signIn } from '../../helper.js'
import { startMailServer } from '../../mail-server.js'

const PUBLIC_URL = 'https://tasks.example.com/api'

/** The app sending its emails to `smtpUrl`, retrying fast. */
async function appMailingTo (t: Parameters<typeof build>[0], smtpUrl: string, env: Record<string, string> = {}) {
  return build(t, { SMTP_URL: smtpUrl, MAIL_FROM: 'Tasks <tasks@example.com>', PUBLIC_URL, JOB_RETRY_BASE_MS: '20', ...env })
}

/** Waits until no job is pending or running, and answers every job. */
async function jobsWhenIdle (app: Awaited<ReturnType<typeof build>>, headers: Record<string, string> = {}) {
  for (;;) {
    const jobs = (await app.inject({ method: 'GET', url: '/admin/jobs?limit=100', headers })).json().items as Array<{ state: string, attempts: number, last_error: string | null, payload: any }>
    if (jobs.every(({ state }) => state !== 'pending' && state !== 'running')) return jobs
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

t.test('POST /tasks/{task_id}/complete answers at once with the task done; the email to notify_email follows', async (t) => {
  let release: () => void = () => {}
  const mail = await startMailServer(t, { hold: new Promise((resolve) => { release = resolve }) })
  const app = await appMailingTo(t, mail.url)
  const task = await createTask(app, { title: 'Ship <the> release', notify_email: 'watcher@example.com', assignee: 'ann' })
  const response = await app.inject({ method: 'POST', url: `/tasks/${task.id}/complete` })
  t.equal(response.statusCode, 200)
  t.same(response.json(), { ...task, status: 'done', version: 2, updated_at: response.json().updated_at })
  t.equal(response.headers.etag, `"${task.id}-2"`)
  t.equal(mail.received.length, 0, 'the response came while the mail server still held the email')
  release()
  const [email] = await mail.receivedCount(1)
  t.equal(email?.subject, 'Done: Ship <the> release')
  t.same(email?.from?.value, [{ name: 'Tasks', address: 'tasks@example.com' }])
  t.same(email?.to && !Array.isArray(email.to) ? email.to.value.map(({ address }) => address) : [], ['watcher@example.com'])
  t.match(email?.text, `Ship <the> release\n\nlocal marked it done.\n\nStatus: done\nProject: (none)\nAssignee: ann\n\nOpen it: ${PUBLIC_URL}/tasks/${task.id}\n`)
  t.match(email?.html, '<h1>Ship &lt;the&gt; release</h1>', 'the title is escaped in HTML')
  t.match(email?.html, `<a href="${PUBLIC_URL}/tasks/${task.id}">`)
  t.match(await jobsWhenIdle(app), [{ state: 'done', attempts: 1, last_error: null, payload: { to: 'watcher@example.com', reason: 'completed' } }])

  const again = await app.inject({ method: 'POST', url: `/tasks/${task.id}/complete` })
  t.same([again.statusCode, again.json()], [200, response.json()], 'completing a done task changes nothing')
  t.equal((await jobsWhenIdle(app)).length, 1, 'and sends nothing')
})

t.test('a task made done by PATCH or PUT emails too; a failed If-Match changes and sends nothing', async (t) => {
  const mail = await startMailServer(t)
  const app = await appMailingTo(t, mail.url)
  const patched = await createTask(app, { title: 'Patched', notify_email: 'a@example.com' })
  const replaced = await createTask(app, { title: 'Replaced', notify_email: 'b@example.com' })
  const refused = await app.inject({ method: 'POST', url: `/tasks/${patched.id}/complete`, headers: { 'if-match': `"${patched.id}-9"` } })
  t.equal(refused.statusCode, 412)
  t.equal((await app.inject({ method: 'PATCH', url: `/tasks/${patched.id}`, payload: { status: 'done' } })).statusCode, 200)
  t.equal((await app.inject({ method: 'PUT', url: `/tasks/${replaced.id}`, payload: { title: 'Replaced', status: 'done', notify_email: 'b@example.com' } })).statusCode, 200)
  const emails = await mail.receivedCount(2)
  t.same(emails.map(({ subject }) => subject).sort(), ['Done: Patched', 'Done: Replaced'])
  t.equal((await jobsWhenIdle(app)).length, 2)
})

t.test('an SMTP server that refuses at first and accepts later gets the email once, on the third attempt', async (t) => {
  const mail = await startMailServer(t, { refuseFirst: 2 })
  const app = await appMailingTo(t, mail.url)
  const task = await createTask(app, { title: 'Retry me', notify_email: 'patient@example.com' })
  await app.inject({ method: 'POST', url: `/tasks/${task.id}/complete` })
  await mail.receivedCount(1)
  t.match(await jobsWhenIdle(app), [{ state: 'done', attempts: 3, last_error: null }])
  t.equal(mail.offers(), 3)
  t.equal(mail.received.length, 1, 'delivered once')
})

t.test('without SMTP_URL the email job is recorded as skipped, never failed', async (t) => {
  const app = await build(t)
  const task = await createTask(app, { title: 'Quiet', notify_email: 'nobody@example.com' })
  await app.inject({ method: 'POST', url: `/tasks/${task.id}/complete` })
  const [job] = await jobsWhenIdle(app)
  t.match(job, { state: 'skipped', attempts: 1, last_error: 'SMTP_URL is not set: no email was sent' })
})

t.test('assigning a task emails the assignee when they are a user with an email who can see it', async (t) => {
  const mail = await startMailServer(t)
  const app = await appMailingTo(t, mail.url, { AUTH: 'on' })
  const root = await administratorToken(app)
  await createUser(app, 'ann', {}, root)
  await createUser(app, 'bob', { email: 'bob@work.example.com' }, root)
  const ann = (await signIn(app, 'ann')).access_token
  await app.inject({ method: 'POST', url: '/projects', headers: bearer(ann), payload: { name: 'Apollo', slug: 'apollo' } })
  await app.inject({ method: 'PUT', url: '/projects/apollo/members/bob', headers: bearer(ann), payload: { role: 'editor' } })
  const created = await app.inject({ method: 'POST', url: '/tasks', headers: bearer(ann), payload: { title: 'Review the plan', project: 'apollo', assignee: 'bob' } })
  t.equal(created.statusCode, 201)
  const [email] = await mail.receivedCount(1)
  t.equal(email?.subject, 'Assigned to you: Review the plan')
  t.same(email?.to && !Array.isArray(email.to) ? email.to.value.map(({ address }) => address) : [], ['bob@work.example.com'])
  t.match(email?.text, 'ann assigned it to bob.')
  t.match(email?.text, 'Project: apollo')
})

t.test('notify_email must be an email address; PUT without it clears it', async (t) => {
  const app = await build(t)
  const bad = await app.inject({ method: 'POST', url: '/tasks', payload: { title: 'x', notify_email: 'not an address' } })
  t.equal(bad.statusCode, 422)
  t.same(bad.json().errors, [{ pointer: '#/notify_email', detail: 'must match format "email"' }])
  const task = await createTask(app, { title: 'Watched', notify_email: 'w@example.com' })
  t.equal(task.notify_email, 'w@example.com')
  const patched = await app.inject({ method: 'PATCH', url: `/tasks/${task.id}`, payload: { notify_email: null } })
  t.equal(patched.json().notify_email, null)
  await app.inject({ method: 'PATCH', url: `/tasks/${task.id}`, payload: { notify_email: 'again@example.com' } })
  const replaced = await app.inject({ method: 'PUT', url: `/tasks/${task.id}`, payload: { title: 'Watched' } })
  t.equal(replaced.json().notify_email, null)
})

t.test('completing an unknown task is a 404 problem; Idempotency-Key replays the first answer', async (t) => {
  const app = await build(t)
  const missing = await app.inject({ method: 'POST', url: '/tasks/31337/complete' })
  t.same([missing.statusCode, missing.json().type], [404, 'https://example.com/errors/not-found'])
  const task = await createTask(app, { title: 'Once' })
  const first = await app.inject({ method: 'POST', url: `/tasks/${task.id}/complete`, headers: { 'idempotency-key': 'k1' } })
  const replay = await app.inject({ method: 'POST', url: `/tasks/${task.id}/complete`, headers: { 'idempotency-key': 'k1' } })
  t.same([replay.statusCode, replay.json(), replay.headers['idempotent-replayed']], [200, first.json(), 'true'])
})
