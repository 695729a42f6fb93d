import type { Test } from 'tap'
import { LOCAL_PRINCIPAL } from '../../../src/auth/principal.js'
import type { Database } from '../../../src/db/database.js'
import type { Claim, StoredJob } from '../../../src/db/job-repository.js'
import { LAPSED_LEASE } from '../../../src/db/job-row.js'
import type { StoredUser } from '../../../src/db/user-repository.js'
import type { Viewer } from '../../../src/db/viewer.js'
import type { Task } from '../../../src/schemas/task.js'
import type { OpenDatabase } from './open-database.js'

const NOW = Date.parse('2026-12-01T12:00:00Z')
const MINUTE = 60_000

const claim = (fields: Partial<Claim> = {}): Claim => ({ worker: 'worker-1', limit: 10, leaseMs: MINUTE, maxAttempts: 3, now: NOW, ...fields })
const email = (to: string) => ({ kind: 'email' as const, payload: { to } })

async function user (db: Database, username: string, fields: Partial<{ email: string | null, role: 'admin' | 'member', }> = {}): Promise<Viewer> {
  const stored = await db.users.create({ username, email: `${username}@example.com`, displayName: username, role: 'member', passwordHash: 'h', ...fields }) as StoredUser
  return { userId: stored.id, username, admin: stored.role === 'admin' }
}

/** The email jobs in the queue: to whom, and why. */
async function emails (db: Database): Promise<Array<{ to: string, reason: string }>> {
  const { items } = await db.jobs.list({ limit: 100, offset: 0 })
  return items.reverse().map(({ payload }) => {
    const { to, reason } = payload as { to: string, reason: string }
    return { to, reason }
  })
}

/** The contract of every JobRepository, and of the outbox the task writes fill. */
export function jobRepositoryContract (t: Test, open: OpenDatabase): void {
  t.test('jobs are claimed oldest first, each by one worker under its lease, and settled only by it', async (t) => {
    const db = await open(t)
    const [first, second, third] = await db.jobs.enqueue([email('a@example.com'), email('b@example.com'), email('c@example.com')], NOW)
    t.match(first, { kind: 'email', state: 'pending', payload: { to: 'a@example.com' }, attempts: 0, runAt: NOW, leaseExpiresAt: null, lastError: null, createdAt: NOW })
    const claimed = await db.jobs.claim(claim({ limit: 2 }))
    t.same(claimed.map(({ id }) => id), [first?.id, second?.id], 'the two oldest')
    t.match(claimed[0], { state: 'running', attempts: 1, leaseExpiresAt: NOW + MINUTE })
    t.same((await db.jobs.claim(claim({ worker: 'worker-2' }))).map(({ id }) => id), [third?.id], 'another worker gets only what is left')
    t.same(await db.jobs.claim(claim({ worker: 'worker-3', now: NOW + MINUTE - 1 })), [], 'nothing while the leases last')
    const { id } = first as StoredJob
    t.equal(await db.jobs.settle(id, 'worker-2', { state: 'done' }, NOW + 1), false, 'a job is settled only by the worker holding it')
    t.equal(await db.jobs.settle(id, 'worker-1', { state: 'done' }, NOW + 1), true)
    t.match(await db.jobs.findById(id), { state: 'done', leaseExpiresAt: null, lastError: null, updatedAt: NOW + 1 })
    t.equal(await db.jobs.settle(id, 'worker-1', { state: 'done' }, NOW + 2), false, 'nor settled twice')
    t.equal(await db.jobs.findById(999_999), undefined)
  })

  t.test('a failed job waits for its retry time; after its last attempt it is dead', async (t) => {
    const db = await open(t)
    const [job] = await db.jobs.enqueue([email('a@example.com')], NOW) as [StoredJob]
    await db.jobs.claim(claim())
    await db.jobs.settle(job.id, 'worker-1', { state: 'failed', error: 'connection refused', retryAt: NOW + MINUTE }, NOW)
    t.match(await db.jobs.findById(job.id), { state: 'pending', attempts: 1, runAt: NOW + MINUTE, lastError: 'connection refused', leaseExpiresAt: null })
    t.same(await db.jobs.claim(claim({ now: NOW + MINUTE - 1 })), [], 'not before its retry time')
    t.match(await db.jobs.claim(claim({ now: NOW + MINUTE })), [{ id: job.id, attempts: 2 }])
    await db.jobs.settle(job.id, 'worker-1', { state: 'failed', error: '451 try later', retryAt: null }, NOW + MINUTE)
    t.match(await db.jobs.findById(job.id), { state: 'dead', attempts: 2, lastError: '451 try later' })
    t.same(await db.jobs.claim(claim({ now: NOW + 60 * MINUTE })), [], 'a dead job is never claimed')
  })

  t.test('a job whose worker died is pending again when its lease runs out, and dead if that was its last attempt', async (t) => {
    const db = await open(t)
    const [job] = await db.jobs.enqueue([email('a@example.com')], NOW) as [StoredJob]
    await db.jobs.claim(claim({ leaseMs: MINUTE, maxAttempts: 2 }))
    const taken = await db.jobs.claim(claim({ worker: 'worker-2', now: NOW + MINUTE, maxAttempts: 2 }))
    t.match(taken, [{ id: job.id, attempts: 2, lastError: LAPSED_LEASE }], 'another worker takes it up once the lease ran out')
    t.equal(await db.jobs.settle(job.id, 'worker-1', { state: 'done' }, NOW + MINUTE), false, 'the first worker\'s claim is gone')
    await db.jobs.claim(claim({ worker: 'worker-3', now: NOW + 2 * MINUTE, maxAttempts: 2 }))
    t.match(await db.jobs.findById(job.id), { state: 'dead', attempts: 2, lastError: LAPSED_LEASE }, 'its second lease ran out after its last attempt')
  })

  t.test('a released job is pending again at once, its attempt not counted; a skipped one is never tried again', async (t) => {
    const db = await open(t)
    const [released, skipped] = await db.jobs.enqueue([email('a@example.com'), email('b@example.com')], NOW) as [StoredJob, StoredJob]
    await db.jobs.claim(claim())
    await db.jobs.settle(released.id, 'worker-1', { state: 'released' }, NOW + 5)
    await db.jobs.settle(skipped.id, 'worker-1', { state: 'skipped', reason: 'SMTP_URL is not set' }, NOW + 5)
    t.match(await db.jobs.findById(released.id), { state: 'pending', attempts: 0, runAt: NOW + 5 })
    t.match(await db.jobs.findById(skipped.id), { state: 'skipped', attempts: 1, lastError: 'SMTP_URL is not set' })
    t.same((await db.jobs.claim(claim({ now: NOW + 10 }))).map(({ id }) => id), [released.id])
  })

  t.test('dead and skipped jobs can be retried from the start; others cannot', async (t) => {
    const db = await open(t)
    const [dead, skipped, done, pending] = await db.jobs.enqueue([email('a@example.com'), email('b@example.com'), email('c@example.com'), email('d@example.com')], NOW) as StoredJob[] as [StoredJob, StoredJob, StoredJob, StoredJob]
    await db.jobs.claim(claim({ limit: 3 }))
    await db.jobs.settle(dead.id, 'worker-1', { state: 'failed', error: 'refused', retryAt: null }, NOW)
    await db.jobs.settle(skipped.id, 'worker-1', { state: 'skipped', reason: 'no SMTP' }, NOW)
    await db.jobs.settle(done.id, 'worker-1', { state: 'done' }, NOW)
    t.match(await db.jobs.retry(dead.id, NOW + 7), { id: dead.id, state: 'pending', attempts: 0, runAt: NOW + 7, lastError: 'refused' })
    t.match(await db.jobs.retry(skipped.id, NOW + 7), { state: 'pending', attempts: 0 })
    t.equal(await db.jobs.retry(done.id, NOW + 7), 'not-finished')
    t.equal(await db.jobs.retry(pending.id, NOW + 7), 'not-finished')
    t.equal(await db.jobs.retry(999_999, NOW + 7), 'not-found')
  })

  t.test('jobs done or skipped before a time are forgotten; dead and unfinished ones stay', async (t) => {
    const db = await open(t)
    const [done, skipped, dead, recent] = await db.jobs.enqueue(['a', 'b', 'c', 'd'].map((name) => email(`${name}@example.com`)), NOW) as [StoredJob, StoredJob, StoredJob, StoredJob]
    await db.jobs.enqueue([email('pending@example.com')], NOW + 10)
    await db.jobs.claim(claim({ limit: 4 }))
    await db.jobs.settle(done.id, 'worker-1', { state: 'done' }, NOW)
    await db.jobs.settle(skipped.id, 'worker-1', { state: 'skipped', reason: 'no SMTP' }, NOW)
    await db.jobs.settle(dead.id, 'worker-1', { state: 'failed', error: 'refused', retryAt: null }, NOW)
    await db.jobs.settle(recent.id, 'worker-1', { state: 'done' }, NOW + MINUTE)
    t.equal(await db.jobs.purgeFinished(NOW + 1), 2)
    t.same((await db.jobs.list({ limit: 10, offset: 0 })).items.map(({ state }) => state), ['pending', 'done', 'dead'])
  })

  t.test('the list is newest first, by state, a page at a time from an offset or after an id', async (t) => {
    const db = await open(t)
    const jobs = await db.jobs.enqueue(['a', 'b', 'c', 'd', 'e'].map((name) => email(`${name}@example.com`)), NOW)
    const ids = jobs.map(({ id }) => id).reverse()
    await db.jobs.claim(claim({ limit: 2 }))
    const all = await db.jobs.list({ limit: 2, offset: 0 })
    t.same([all.items.map(({ id }) => id), all.total, all.hasMore], [ids.slice(0, 2), 5, true])
    const rest = await db.jobs.list({ limit: 10, offset: 0, after: String(ids[1]) })
    t.same([rest.items.map(({ id }) => id), rest.hasMore], [ids.slice(2), false])
    const running = await db.jobs.list({ limit: 10, offset: 0, state: 'running' })
    t.same([running.items.map(({ id }) => id), running.total], [ids.slice(3), 2])
    const pending = await db.jobs.list({ limit: 1, offset: 1, state: 'pending' })
    t.same([pending.items.map(({ id }) => id), pending.total, pending.hasMore], [[ids[1]], 3, true])
    t.same(await db.jobs.list({ limit: 10, offset: 0, state: 'dead' }), { items: [], total: 0, hasMore: false })
  })

  t.test('a task made done emails its notify_email, in the transaction of the change: once, whichever way it became done', async (t) => {
    const db = await open(t)
    const task = await db.tasks.create(LOCAL_PRINCIPAL, { title: 'Ship', notify_email: 'watcher@example.com' }) as Task
    t.same(await emails(db), [], 'creating it sends nothing')
    await db.tasks.update(LOCAL_PRINCIPAL, task.id, { status: 'done' }, { precondition: () => false })
    t.same(await emails(db), [], 'a write refused by its precondition adds no job')
    await db.tasks.update(LOCAL_PRINCIPAL, task.id, { status: 'done' })
    await db.tasks.update(LOCAL_PRINCIPAL, task.id, { status: 'done', title: 'Shipped' })
    t.same(await emails(db), [{ to: 'watcher@example.com', reason: 'completed' }], 'made done once: one email')
    const [job] = (await db.jobs.list({ limit: 1, offset: 0 })).items
    t.same(job?.payload, { to: 'watcher@example.com', reason: 'completed', task: { id: task.id, title: 'Ship', status: 'done', assignee: null, project: null }, by: 'local' })
    await db.tasks.update(LOCAL_PRINCIPAL, task.id, { status: 'pending' })
    await db.tasks.update(LOCAL_PRINCIPAL, task.id, { status: 'done' })
    t.equal((await emails(db)).length, 2, 'done again after being reopened: another email')
    await db.tasks.create(LOCAL_PRINCIPAL, { title: 'Born done', status: 'done', notify_email: 'born@example.com' })
    await db.tasks.create(LOCAL_PRINCIPAL, { title: 'Nobody to tell', status: 'done' })
    t.same((await emails(db)).at(-1), { to: 'born@example.com', reason: 'completed' }, 'a task created done is made done')
    t.equal((await emails(db)).length, 3, 'a task without notify_email tells nobody')
  })

  t.test('assigning a task emails the assignee when they are a user with an email who may see it, and not the one who assigned it', async (t) => {
    const db = await open(t)
    const ann = await user(db, 'ann')
    await user(db, 'bob')
    await user(db, 'cat')
    await user(db, 'dan', { email: null })
    await user(db, 'eve', { role: 'admin' })
    await db.projects.create(ann, { slug: 'apollo', name: 'Apollo', description: null, derived: false })
    await db.projects.putMember(ann, 'apollo', 'bob', 'viewer')
    const inApollo = await db.tasks.create(ann, { title: 'Plan', project: 'apollo', assignee: 'Bob' }) as Task
    t.same(await emails(db), [{ to: 'bob@example.com', reason: 'assigned' }], 'a member of its project, named in any case')
    await db.tasks.update(ann, inApollo.id, { assignee: 'cat' })
    await db.tasks.update(ann, inApollo.id, { assignee: 'dan' })
    await db.tasks.update(ann, inApollo.id, { assignee: 'somebody else' })
    t.equal((await emails(db)).length, 1, 'not someone who cannot see the task, a user without an email, or a name no user has')
    await db.tasks.update(ann, inApollo.id, { assignee: 'eve' })
    await db.tasks.update(ann, inApollo.id, { assignee: 'eve', title: 'Plan again' })
    t.same((await emails(db)).at(-1), { to: 'eve@example.com', reason: 'assigned' }, 'an administrator sees every task')
    t.equal((await emails(db)).length, 2, 'keeping the assignee is not a new assignment')
    await db.projects.putMember(ann, 'apollo', 'cat', 'editor')
    await db.users.adminUpdate('cat', { disabled: true })
    await db.tasks.update(ann, inApollo.id, { assignee: 'cat' })
    t.equal((await emails(db)).length, 2, 'nor a disabled user')
    await db.tasks.update(ann, inApollo.id, { assignee: 'ann' })
    const own = await db.tasks.create(ann, { title: 'Mine', assignee: 'ann' }) as Task
    t.equal((await emails(db)).length, 2, 'assigning oneself tells nobody')
    await db.tasks.update(ann, own.id, { assignee: 'bob' })
    t.equal((await emails(db)).length, 2, 'a task outside projects is seen by its creator alone')
  })
}
