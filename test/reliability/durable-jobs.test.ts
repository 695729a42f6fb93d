import t, { type Test } from 'tap'
import { join } from 'node:path'
import { startServer, startWorker, temporaryDirectory, type RunningServer } from '../helper.js'
import { startMailServer } from '../mail-server.js'
import { postgresTestUrl } from '../postgres.js'
import { startReceiver } from '../webhook-receiver.js'

// Jobs are durable: emails and webhook deliveries owed when the server is
// killed are all sent once it is back, and `npm run worker` processes work the same queue beside
// servers that do not, each email sent once. On both databases.

const DATABASES = {
  sqlite: async (t: Test) => join(temporaryDirectory(t), 'tasks.db'),
  postgres: postgresTestUrl
}

// Short leases and retries, so that what the killed server held is taken up within the test.
const FAST_JOBS = { JOB_LEASE_MS: '1000', JOB_RETRY_BASE_MS: '100', JOB_POLL_INTERVAL_MS: '100' }

/** Creates a task per address, each to tell that address when it is done, and completes them. */
async function completeTasksFor (server: Pick<RunningServer, 'url'>, addresses: string[]): Promise<void> {
  for (const address of addresses) {
    const created = await fetch(new URL('/tasks', server.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: `For ${address}`, notify_email: address }) })
    const { id } = await created.json() as { id: number }
    const completed = await fetch(new URL(`/tasks/${id}/complete`, server.url), { method: 'POST' })
    if (completed.status !== 200) throw new Error(`complete answered ${completed.status}`)
  }
}

const recipients = (count: number) => Array.from({ length: count }, (_, index) => `watcher${index}@example.com`)
const addressesOf = (mails: Awaited<ReturnType<Awaited<ReturnType<typeof startMailServer>>['receivedCount']>>) =>
  mails.flatMap(({ to }) => to === undefined || Array.isArray(to) ? [] : to.value.map(({ address }) => address)).sort()

for (const [name, database] of Object.entries(DATABASES)) {
  t.test(`${name}: emails owed when the server is killed (some being sent, some waiting) are all sent once it is back, each once`, async (t) => {
    const DATABASE_URL = await database(t)
    // A mail server that takes the emails and never answers: the first server's jobs hang, running.
    const hanging = await startMailServer(t, { hold: new Promise(() => {}) })
    const first = await startServer(t, { DATABASE_URL, SMTP_URL: hanging.url, JOB_CONCURRENCY: '3', ...FAST_JOBS })
    await completeTasksFor(first, recipients(8))
    // Three are being sent (held by the mail server), the others wait for a free worker.
    while (hanging.offers() < 3) await new Promise((resolve) => setTimeout(resolve, 10))
    first.process.kill('SIGKILL')
    await first.exited

    const mail = await startMailServer(t)
    const second = await startServer(t, { DATABASE_URL, SMTP_URL: mail.url, ...FAST_JOBS })
    t.same(addressesOf(await mail.receivedCount(8)), recipients(8).sort(), 'every email arrived')
    // Nothing more comes: each was sent once.
    await new Promise((resolve) => setTimeout(resolve, 1500))
    t.equal(mail.received.length, 8)
    const { items } = await (await fetch(new URL('/admin/jobs?limit=100', second.url))).json() as { items: Array<{ state: string, attempts: number, last_error: string | null }> }
    t.equal(items.filter(({ state }) => state === 'done').length, 8, 'every job is done')
    t.equal(items.filter(({ attempts }) => attempts === 2).length, 3, 'the three the killed server held were tried a second time')
    t.equal(await second.stop(), 0)
  })

  t.test(`${name}: webhook deliveries owed when the server is killed (some in flight, some waiting) are all delivered once it is back, each answered once`, async (t) => {
    const DATABASE_URL = await database(t)
    // The receiver takes the first server's deliveries and never answers; then it answers each.
    let answering = false
    const receiver = await startReceiver(t, () => answering ? 200 : 'hang')
    const first = await startServer(t, { DATABASE_URL, WEBHOOK_ALLOW_PRIVATE: 'true', JOB_CONCURRENCY: '3', ...FAST_JOBS })
    const made = await fetch(new URL('/webhooks', first.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: receiver.url, events: ['task.created'] }) })
    const { id } = await made.json() as { id: number }
    for (let count = 0; count < 8; count++) {
      await fetch(new URL('/tasks', first.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: `Event ${count}` }) })
    }
    await receiver.receivedCount(3)
    first.process.kill('SIGKILL')
    await first.exited

    answering = true
    const unanswered = receiver.received.length
    const second = await startServer(t, { DATABASE_URL, WEBHOOK_ALLOW_PRIVATE: 'true', ...FAST_JOBS })
    const answered = (await receiver.receivedCount(unanswered + 8)).slice(unanswered)
    t.same(answered.map(({ event }) => event.data.title).sort(), Array.from({ length: 8 }, (_, count) => `Event ${count}`), 'every event arrived')
    await new Promise((resolve) => setTimeout(resolve, 1500))
    t.equal(receiver.received.length, unanswered + 8, 'each was answered once')
    const { items } = await (await fetch(new URL(`/webhooks/${id}/deliveries?limit=100`, second.url))).json() as { items: Array<{ state: string }> }
    t.same(items.map(({ state }) => state), Array(8).fill('delivered'))
    t.equal(await second.stop(), 0)
  })

  t.test(`${name}: npm run worker processes work the queue for a server that does not (JOB_WORKER=off), each email and webhook sent once, and stop cleanly`, async (t) => {
    const DATABASE_URL = await database(t)
    const mail = await startMailServer(t)
    const receiver = await startReceiver(t)
    const settings = { DATABASE_URL, SMTP_URL: mail.url, WEBHOOK_ALLOW_PRIVATE: 'true' }
    const server = await startServer(t, { ...settings, JOB_WORKER: 'off' })
    await fetch(new URL('/webhooks', server.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: receiver.url, events: ['task.completed'] }) })
    const workers = [
      await startWorker(t, { ...settings, ...FAST_JOBS }),
      await startWorker(t, { ...settings, ...FAST_JOBS })
    ]
    await completeTasksFor(server, recipients(20))
    t.same(addressesOf(await mail.receivedCount(20)), recipients(20).sort(), 'every email arrived')
    await receiver.receivedCount(20)
    await new Promise((resolve) => setTimeout(resolve, 500))
    t.equal(mail.received.length, 20, 'each once')
    t.equal(new Set(receiver.received.map(({ headers }) => headers['webhook-id'])).size, 20, 'every event arrived')
    t.equal(receiver.received.length, 20, 'each once')
    const doneBy = workers.map(({ output }) => (output().match(/"msg":"job done"/g) ?? []).length)
    t.equal(doneBy[0] as number + (doneBy[1] as number), 40, `the workers did them all (${doneBy.join(' + ')})`)
    t.notMatch(server.output(), '"msg":"job done"', 'the server did none')
    for (const worker of workers) {
      t.equal(await worker.stop(), 0)
      t.match(worker.output(), '"msg":"shutting down"')
    }
    t.equal(await server.stop(), 0)
  })
}
