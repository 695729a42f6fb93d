import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import Fastify from 'fastify'
import t, { type Test } from 'tap'
import { LOCAL_USER_ID, LOCAL_USERNAME } from '../../../src/db/local-user.js'
import { openPostgresDatabase, type PostgresDatabase } from '../../../src/db/postgres/postgres-database.js'
import { postgresTestUrl } from '../../postgres.js'
import { tcpRelay } from '../../tcp-relay.js'
import { openPostgres } from './open-database.js'
import { twoInstances } from './two-instances.js'

// Instances on one PostgreSQL hear of each other's commits at once
// (LISTEN/NOTIFY): a database's onEventsAppended and onJobsEnqueued
// listeners are told of commits made through another, with no polling in
// between; and the connection that listens survives being cut.

const ADMIN = { userId: LOCAL_USER_ID, username: LOCAL_USERNAME, admin: true }
const LOST = 'the connection that listens for other instances\' events and jobs was lost: until it is back they are found by polling'
const BACK = 'listening again for other instances\' events and jobs'
// Long enough for a notification to arrive, were one sent.
const SETTLE_MS = 300

/** A listener that counts its calls. */
function counted () {
  let calls = 0
  return {
    listener: () => { calls++ },
    get calls () { return calls },
    /** Resolves once called `count` times in all; fails after 5 s (a poll would not help here: there is none). */
    async reached (count: number) {
      const deadline = Date.now() + 5000
      while (calls < count) {
        if (Date.now() > deadline) throw new Error(`called ${calls} times, not ${count}`)
        await sleep(10)
      }
    }
  }
}

/**
 * A database on `url` as an instance of its own: its connections named apart
 * from other test files' (the listening one `${name} listen`), its log read
 * by the test, its listeners counting. Closed when the test ends.
 */
async function observedInstance (t: Test, url: string) {
  const name = `notifications-${randomBytes(6).toString('hex')}`
  const withName = new URL(url)
  withName.searchParams.set('application_name', name)
  const lines: Array<{ level: number, msg: string }> = []
  const log = Fastify({ logger: { level: 'info', stream: { write: (line: string) => lines.push(JSON.parse(line) as { level: number, msg: string }) } } }).log
  const db = await openPostgresDatabase(withName.toString(), { poolSize: 2, poolTimeoutMs: 5000, log })
  t.teardown(() => db.close())
  const events = counted()
  const jobs = counted()
  db.onEventsAppended(events.listener)
  db.onJobsEnqueued(jobs.listener)
  return {
    db,
    events,
    jobs,
    /** The server processes of its listening connection, as `asking` (by default the instance itself) finds them. */
    listeningBackends: async (asking: PostgresDatabase = db): Promise<number[]> => {
      const { rows } = await asking.pool.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [`${name} listen`])
      return rows.map(({ pid }) => pid)
    },
    /** What it logged of its listening connection, as [level, message]. */
    listening: () => lines.filter(({ msg }) => msg === LOST || msg === BACK).map(({ level, msg }) => [level, msg])
  }
}

t.test('a task written through one instance tells the other\'s onEventsAppended once it commits, not before', async (t) => {
  const [one, two] = await twoInstances(t)
  const elsewhere = await openPostgres(t)
  const heard = counted()
  const readWhenHeard: Array<Promise<number>> = []
  two.onEventsAppended(() => {
    heard.listener()
    readWhenHeard.push(two.events.latest())
  })
  const heardElsewhere = counted()
  elsewhere.onEventsAppended(heardElsewhere.listener)

  // The write appends its event, then waits, its transaction open, to store
  // its Idempotency-Key response in a table another transaction has locked.
  const blocker = await one.pool.connect()
  t.teardown(() => blocker.release())
  await blocker.query('BEGIN')
  await blocker.query('LOCK TABLE idempotency_keys IN EXCLUSIVE MODE')
  const created = one.tasks.create(ADMIN, { title: 'Heard on the other instance' }, {
    respond: (task) => ({ userId: ADMIN.userId, key: 'held', fingerprint: 'POST /tasks', status: 201, location: null, etag: null, body: JSON.stringify(task), expiresAt: Date.now() + 60_000 })
  })
  while ((await blocker.query('SELECT 1 FROM pg_locks WHERE relation = \'idempotency_keys\'::regclass AND NOT granted')).rowCount === 0) await sleep(10)
  await sleep(SETTLE_MS)
  t.equal(heard.calls, 0, 'nothing is heard while the transaction that appended is open')

  await blocker.query('COMMIT')
  t.match(await created, { title: 'Heard on the other instance' })
  await heard.reached(1)
  t.ok(await readWhenHeard[0] as number > 0, 'when it is heard, the event is there to read')
  await sleep(SETTLE_MS)
  t.equal(heard.calls, 1, 'one commit, heard once')
  t.equal(heardElsewhere.calls, 0, 'an instance on another schema of the database hears nothing')
})

t.test('jobs added through one instance, or retried, wake the other\'s onJobsEnqueued', async (t) => {
  const [one, two] = await twoInstances(t)
  const heard = counted()
  two.onJobsEnqueued(heard.listener)
  const [job] = await one.jobs.enqueue([{ kind: 'email', payload: { to: 'ada@example.com' } }], Date.now())
  await heard.reached(1)
  t.pass('an enqueued job is heard')

  const [claimed] = await two.jobs.claim({ worker: 'two', limit: 1, leaseMs: 60_000, maxAttempts: 3, now: Date.now() })
  t.equal(claimed?.id, job?.id)
  await two.jobs.settle(job?.id as number, 'two', { state: 'skipped', reason: 'no SMTP_URL' }, Date.now())
  await sleep(SETTLE_MS)
  t.equal(heard.calls, 1, 'claiming and settling wake nobody')
  t.match(await one.jobs.retry(job?.id as number, Date.now()), { state: 'pending' })
  await heard.reached(2)
  t.pass('a retried job is heard')
})

t.test('a task write that adds jobs wakes the other instance\'s worker too', async (t) => {
  const [one, two] = await twoInstances(t)
  const jobs = counted()
  two.onJobsEnqueued(jobs.listener)
  const webhook = await one.webhooks.create(ADMIN, { url: 'https://example.com/hook', events: ['task.created'], project: null, secret: 'whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ=' }, Date.now())
  t.type(webhook, 'object')
  await one.tasks.create(ADMIN, { title: 'Delivered to a webhook' })
  await jobs.reached(1)
  t.pass('the delivery\'s job is heard')
})

t.test('a listening connection the server ends is made again: logged once lost and once back, and the listeners told once', async (t) => {
  const { db, events, jobs, listeningBackends, listening } = await observedInstance(t, await postgresTestUrl(t))
  const [first] = await listeningBackends()
  t.type(first, 'number', 'it listens on a connection of its own, named after the instance\'s')

  await db.pool.query('SELECT pg_terminate_backend($1)', [first])
  await events.reached(1)
  await jobs.reached(1)
  await sleep(SETTLE_MS)
  t.same([events.calls, jobs.calls], [1, 1], 'once back, each listener is told once, for what it may have missed')
  t.same(listening(), [[40, LOST], [30, BACK]], 'one warning, one notice')
  const again = await listeningBackends()
  t.equal(again.length, 1)
  t.not(again[0], first, 'a new connection listens')

  // Told through the new connection alone: this instance's own commits tell its listeners directly.
  await db.pool.query('SELECT pg_notify(\'task_events\', current_schema())')
  await events.reached(2)
  t.pass('and it hears notifications again')
})

t.test('PostgreSQL unreachable for a while: one warning however many attempts fail, one notice once back', async (t) => {
  const relay = await tcpRelay(t, await postgresTestUrl(t))
  const { events, listeningBackends, listening } = await observedInstance(t, relay.url)

  await relay.stop()
  // Attempts 100, 200, 400 and 800 ms apart fail meanwhile.
  await sleep(1600)
  t.same(listening(), [[40, LOST]], 'lost: said once')
  t.equal(events.calls, 0)

  await relay.start()
  await events.reached(1)
  t.same(listening(), [[40, LOST], [30, BACK]], 'back: said once')
  t.equal((await listeningBackends()).length, 1, 'listening again')
})

t.test('close() ends the listening connection, and stops trying to make it again', async (t) => {
  const url = await postgresTestUrl(t)
  const watcher = await openPostgres(t)
  const open = await observedInstance(t, url)
  t.equal((await open.listeningBackends(watcher)).length, 1)
  await open.db.close()
  await open.db.close()
  while ((await open.listeningBackends(watcher)).length > 0) await sleep(10)
  t.pass('closed: no connection listens')

  // Closed while the connection is down, waiting to try again: nothing is tried any more (tap would wait for it).
  const relay = await tcpRelay(t, url)
  const down = await observedInstance(t, relay.url)
  await relay.stop()
  while (down.listening().length === 0) await sleep(10)
  await down.db.close()
  await relay.start()
  await sleep(SETTLE_MS)
  t.same(await down.listeningBackends(watcher), [], 'nothing connects after close()')
  t.same(down.listening(), [[40, LOST]], 'nor is it said to be back')
})
