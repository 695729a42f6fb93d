import t from 'tap'
import { build, createTask } from '../../helper.js'

type App = Awaited<ReturnType<typeof build>>

/** Completes `count` tasks that have a notify_email, and waits until the worker has skipped each email (no SMTP_URL). */
async function skippedEmails (app: App, count: number): Promise<number[]> {
  for (let index = 0; index < count; index++) {
    const task = await createTask(app, { title: `Task ${index}`, notify_email: `watcher${index}@example.com` })
    await app.inject({ method: 'POST', url: `/tasks/${task.id}/complete` })
  }
  for (;;) {
    const { items } = (await app.inject({ method: 'GET', url: '/admin/jobs?state=skipped&limit=100' })).json()
    if (items.length === count) return items.map(({ id }: { id: number }) => id)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

t.test('GET /admin/jobs lists the queue newest first, by state, a page at a time with Link and cursor', async (t) => {
  const app = await build(t)
  const ids = await skippedEmails(app, 3)
  const first = await app.inject({ method: 'GET', url: '/admin/jobs?limit=2' })
  t.equal(first.statusCode, 200)
  const page = first.json()
  t.same([page.items.map(({ id }: { id: number }) => id), page.total, page.has_more], [ids.slice(0, 2), 3, true])
  t.match(page.items[0], { kind: 'email', state: 'skipped', attempts: 1, last_error: 'SMTP_URL is not set: no email was sent', lease_expires_at: null, payload: { to: 'watcher2@example.com', reason: 'completed', task: { title: 'Task 2', status: 'done' }, by: 'local' } })
  t.equal(first.headers.link, '</admin/jobs?limit=2&offset=2>; rel="next"')
  const next = await app.inject({ method: 'GET', url: `/admin/jobs?limit=2&cursor=${page.next_cursor}` })
  t.same(next.json().items.map(({ id }: { id: number }) => id), ids.slice(2))
  t.same((await app.inject({ method: 'GET', url: '/admin/jobs?state=dead' })).json(), { items: [], total: 0, limit: 20, offset: 0, has_more: false, next_cursor: null })
  const unknownState = await app.inject({ method: 'GET', url: '/admin/jobs?state=lost' })
  t.same([unknownState.statusCode, unknownState.json().errors], [422, [{ detail: 'must be one of: pending, running, done, skipped, dead', parameter: 'state' }]])
  const otherList = await app.inject({ method: 'GET', url: `/admin/jobs?state=dead&cursor=${page.next_cursor}` })
  t.same([otherList.statusCode, otherList.json().errors[0].parameter], [422, 'cursor'], 'a cursor continues only the list it came from')
})

t.test('GET /admin/jobs/{job_id} shows one job; an unknown one is a 404 problem', async (t) => {
  const app = await build(t)
  const [id] = await skippedEmails(app, 1)
  const response = await app.inject({ method: 'GET', url: `/admin/jobs/${id}` })
  t.match(response.json(), { id, kind: 'email', state: 'skipped' })
  const missing = await app.inject({ method: 'GET', url: '/admin/jobs/424242' })
  t.same([missing.statusCode, missing.json().detail], [404, 'Job 424242 was not found.'])
})

t.test('POST /admin/jobs/{job_id}/retry runs a skipped or dead job again; one that is not finished is a 409 problem', async (t) => {
  const app = await build(t)
  const [id] = await skippedEmails(app, 1)
  const retried = await app.inject({ method: 'POST', url: `/admin/jobs/${id}/retry` })
  t.equal(retried.statusCode, 200)
  t.match(retried.json(), { id, state: 'pending', attempts: 0 })
  // Still no SMTP_URL: the worker skips it again.
  for (;;) {
    const job = (await app.inject({ method: 'GET', url: `/admin/jobs/${id}` })).json()
    if (job.state === 'skipped') break
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  const done = await app.inject({ method: 'POST', url: '/admin/jobs/424242/retry' })
  t.equal(done.statusCode, 404)
  const job = await app.db.jobs.enqueue([{ kind: 'email', payload: { to: 'x@example.com' } }], Date.now() + 60_000)
  await app.db.jobs.claim({ worker: 'elsewhere', limit: 100, leaseMs: 60_000, maxAttempts: 3, now: Date.now() + 60_000 })
  const running = await app.inject({ method: 'POST', url: `/admin/jobs/${job[0]?.id}/retry` })
  t.same([running.statusCode, running.json().type], [409, 'https://example.com/errors/job-not-finished'])
})
