import t, { type Test } from 'tap'
import Fastify from 'fastify'
import type { StoredJob } from '../../src/db/job-repository.js'
import { openSqliteDatabase } from '../../src/db/sqlite/sqlite-database.js'
import { createJobWorker, GivenUpError, type JobHandler, type JobWorkerOptions } from '../../src/jobs/job-worker.js'

/** A worker over a new SQLite database, with `handler` doing its emails, and the lines it logs. */
function workerWith (t: Test, handler: JobHandler, options: Partial<JobWorkerOptions> = {}) {
  const db = openSqliteDatabase(':memory:')
  const lines: Array<Record<string, unknown>> = []
  const log = Fastify({ logger: { level: 'info', stream: { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) } } }).log
  const worker = createJobWorker({ jobs: db.jobs, handlers: { email: handler, webhook: handler }, log, concurrency: 2, pollIntervalMs: 10, leaseMs: 60_000, maxAttempts: 3, retryBaseMs: 20, ...options })
  db.onJobsEnqueued(worker.wake)
  t.teardown(async () => {
    await worker.stop(0)
    await db.close()
  })
  const enqueue = async (count = 1) => db.jobs.enqueue(Array.from({ length: count }, (_, index) => ({ kind: 'email' as const, payload: { to: `${index}@example.com` } })), Date.now())
  return { db, worker, lines, enqueue }
}

/** Waits until the job is in one of `states`, and answers it. */
async function settled (find: (id: number) => Promise<StoredJob | undefined>, id: number, states = ['done', 'skipped', 'dead']): Promise<StoredJob> {
  for (;;) {
    const job = await find(id) as StoredJob
    if (states.includes(job.state)) return job
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

t.test('a job that fails twice and then succeeds is done after three attempts, each retry after a backoff', async (t) => {
  const started: number[] = []
  const { db, worker, lines, enqueue } = workerWith(t, async () => {
    started.push(Date.now())
    if (started.length < 3) throw new Error(`refused, attempt ${started.length}`)
    return { state: 'done' }
  })
  worker.start()
  const [job] = await enqueue() as [StoredJob]
  t.match(await settled((id) => db.jobs.findById(id), job.id), { state: 'done', attempts: 3, lastError: null })
  const [first, second, third] = started as [number, number, number]
  // Base 20 ms, doubled, less up to half at random: at least 10 ms, then 20 ms.
  t.ok(second - first >= 10 && third - second >= 20, `retries waited (${second - first} ms, ${third - second} ms)`)
  t.same(lines.filter(({ msg }) => typeof msg === 'string' && msg.startsWith('job ')).map(({ msg, attempt }) => [msg, attempt]), [
    ['job failed: it is tried again later', 1],
    ['job failed: it is tried again later', 2],
    ['job done', 3]
  ])
})

t.test(`a job that always fails is dead after its last attempt, with the last error kept`, async (t) => {
  const { db, worker, lines, enqueue } = workerWith(t, async () => { throw new Error('550 mailbox unavailable') })
  worker.start()
  const [job] = await enqueue() as [StoredJob]
  t.match(await settled((id) => db.jobs.findById(id), job.id), { state: 'dead', attempts: 3, lastError: '550 mailbox unavailable' })
  t.match(lines.at(-1), { level: 40, msg: 'job failed for the last time: it is dead', job: job.id, retryAt: null })
})

t.test('a job whose handler gives up (GivenUpError) is dead at its first attempt', async (t) => {
  const { db, worker, lines, enqueue } = workerWith(t, async () => { throw new GivenUpError('10.0.0.1 is not a public address') })
  worker.start()
  const [job] = await enqueue() as [StoredJob]
  t.match(await settled((id) => db.jobs.findById(id), job.id), { state: 'dead', attempts: 1, lastError: '10.0.0.1 is not a public address' })
  t.match(lines.at(-1), { level: 40, msg: 'job failed for the last time: it is dead', retryAt: null })
})

t.test('a skipped job is recorded as skipped with its reason, and logged', async (t) => {
  const { db, worker, lines, enqueue } = workerWith(t, async () => ({ state: 'skipped', reason: 'SMTP_URL is not set' }))
  worker.start()
  const [job] = await enqueue() as [StoredJob]
  t.match(await settled((id) => db.jobs.findById(id), job.id), { state: 'skipped', attempts: 1, lastError: 'SMTP_URL is not set' })
  t.match(lines.at(-1), { level: 30, msg: 'job skipped', reason: 'SMTP_URL is not set' })
})

t.test('jobs added by this process are taken at once, without waiting for the next poll; no more than the concurrency at a time', async (t) => {
  let running = 0
  let most = 0
  const { db, worker, enqueue } = workerWith(t, async () => {
    most = Math.max(most, ++running)
    await new Promise((resolve) => setTimeout(resolve, 20))
    running--
    return { state: 'done' }
  }, { pollIntervalMs: 3_600_000 })
  worker.start()
  // Let the first poll find nothing, and the worker go to sleep for an hour.
  await new Promise((resolve) => setTimeout(resolve, 50))
  const jobs = await enqueue(5)
  for (const { id } of jobs) t.equal((await settled((id) => db.jobs.findById(id), id)).state, 'done')
  t.equal(most, 2, 'two at a time (JOB_CONCURRENCY)')
})

t.test('stopping waits for the jobs in hand to finish within the grace period', async (t) => {
  const { db, worker, enqueue } = workerWith(t, async () => {
    await new Promise((resolve) => setTimeout(resolve, 50))
    return { state: 'done' }
  })
  worker.start()
  const [job] = await enqueue() as [StoredJob]
  await settled((id) => db.jobs.findById(id), job.id, ['running'])
  await worker.stop(5000)
  t.match(await db.jobs.findById(job.id), { state: 'done', attempts: 1 })
})

t.test('a job unfinished after the grace period is given back, pending with its attempt not counted, and its work aborted', async (t) => {
  let aborted = false
  let finish: () => void = () => {}
  const { db, worker, lines, enqueue } = workerWith(t, async (_job, signal) => {
    signal.addEventListener('abort', () => { aborted = true })
    await new Promise<void>((resolve) => { finish = resolve })
    throw new Error('the connection was closed')
  })
  worker.start()
  const [job] = await enqueue() as [StoredJob]
  await settled((id) => db.jobs.findById(id), job.id, ['running'])
  await worker.stop(20)
  t.ok(aborted, 'its work was told to stop')
  t.match(await db.jobs.findById(job.id), { state: 'pending', attempts: 0, leaseExpiresAt: null })
  t.match(lines.find(({ msg }) => msg === 'jobs unfinished after the grace period are given back'), { jobs: [job.id] })
  // The aborted work ends later: it settles nothing.
  finish()
  await new Promise((resolve) => setTimeout(resolve, 20))
  t.match(await db.jobs.findById(job.id), { state: 'pending', attempts: 0 })
})

t.test('a work that ends after its claim was lost settles nothing, and says so', async (t) => {
  let finish: () => void = () => {}
  const { db, worker, lines, enqueue } = workerWith(t, async () => {
    await new Promise<void>((resolve) => { finish = resolve })
    return { state: 'done' }
  }, { leaseMs: 1000 })
  worker.start()
  const [job] = await enqueue() as [StoredJob]
  await settled((id) => db.jobs.findById(id), job.id, ['running'])
  // Another worker takes it once the lease has run out.
  await db.jobs.claim({ worker: 'another', limit: 1, leaseMs: 60_000, maxAttempts: 3, now: Date.now() + 1000 })
  finish()
  for (let wait = 0; wait < 100 && !lines.some(({ msg }) => String(msg).startsWith('a job finished after its claim was lost')); wait++) await new Promise((resolve) => setTimeout(resolve, 5))
  t.match(lines.find(({ msg }) => String(msg).startsWith('a job finished after its claim was lost')), { level: 40, job: job.id })
  t.match(await db.jobs.findById(job.id), { state: 'running', attempts: 2 }, 'the other worker still holds it')
})

t.test('a database that fails a claim or a settlement is logged, and the worker keeps going', async (t) => {
  const { db, worker, lines, enqueue } = workerWith(t, async () => {
    await db.close()
    return { state: 'done' }
  })
  worker.start()
  await enqueue()
  for (let wait = 0; wait < 200 && !lines.some(({ msg }) => msg === 'claiming jobs failed: trying again at the next poll'); wait++) await new Promise((resolve) => setTimeout(resolve, 5))
  t.match(lines.find(({ msg }) => String(msg).startsWith('settling a job failed')), { level: 50 })
  t.match(lines.find(({ msg }) => msg === 'claiming jobs failed: trying again at the next poll'), { level: 50 })
})
