import t, { type Test } from 'tap'
import type { LoggedEvent } from '../../src/db/event-log.js'
import type { Viewer } from '../../src/db/viewer.js'
import { followLog, READ_LIMIT, type Following } from '../../src/live/log-follower.js'
import { LogTail } from '../../src/live/log-tail.js'
import { mayRead } from '../../src/db/event-log.js'
import { openSqlite } from '../db/sqlite/open-database.js'

const settle = (ms = 20) => new Promise((resolve) => setTimeout(resolve, ms))

/** A database with one user, a tail over it (counting its reads), and followers of it that record what they are given. */
async function world (t: Test, { heard = true } = {}) {
  const db = await openSqlite(t)
  const user = await db.users.create({ username: 'ann', email: 'ann@example.com', displayName: 'ann', role: 'member', passwordHash: 'not-a-hash' })
  if (typeof user === 'string') throw new Error(user)
  const ann: Viewer = { userId: user.id, username: 'ann', admin: false }
  const reads = { shared: 0, own: 0 }
  let failNext: Error | undefined
  // Without `heard`, this process is not told of commits (as of another process's, on SQLite): `poll` stands for the poll.
  let poll: (() => void) | undefined
  const tail = new LogTail({
    read: async (after) => {
      reads.shared += 1
      if (failNext !== undefined) throw failNext
      return await db.events.readWithReaders({ after, limit: READ_LIMIT })
    },
    onAppended: heard ? db.onEventsAppended : (listener) => { poll = listener; return () => { poll = undefined } },
    pollIntervalMs: 600_000
  })
  const following: Following[] = []
  t.teardown(() => { for (const one of following) one.stop() })
  const follow = (after: number, deliver: (events: LoggedEvent[]) => Promise<void> | void = () => {}, afterOwnRead = async () => {}) => {
    const got: number[] = []
    const resets: number[] = []
    const failures: unknown[] = []
    const one = followLog({
      after,
      read: async (from) => {
        reads.own += 1
        const read = await db.events.read(ann, { after: from, limit: READ_LIMIT })
        await afterOwnRead()
        return read
      },
      admits: (event, members) => mayRead(ann, event, members),
      tail,
      latest: () => db.events.latest(),
      deliver: async (events) => {
        await deliver(events)
        got.push(...events.map(({ seq }) => seq))
      },
      reset: (latest) => resets.push(latest),
      failed: (error) => failures.push(error)
    })
    following.push(one)
    return { got, resets, failures, following: one }
  }
  const addTasks = async (count: number) => {
    for (let n = 0; n < count; n++) await db.tasks.create(ann, { title: `task ${n}`, project: null })
    return await db.events.latest()
  }
  return { db, reads, tail, follow, addTasks, failNext: (error: Error) => { failNext = error }, poll: () => poll?.() }
}

t.test('many followers share one read of the log per commit, each given every event once, in order', async (t) => {
  const { reads, follow, addTasks } = await world(t)
  const followers = Array.from({ length: 50 }, () => follow(0))
  await settle()
  t.equal(reads.own, 50, 'each read by itself once, to catch up')
  const before = reads.shared
  const latest = await addTasks(1)
  await settle()
  t.equal(reads.shared - before, 1, 'one read for the commit, whoever follows')
  t.equal(reads.own, 50, 'and none of their own')
  for (const { got } of followers) t.same(got, [latest])
})

t.test('a follower far behind catches up page by page, then follows the tail', async (t) => {
  const { reads, follow, addTasks } = await world(t)
  await addTasks(READ_LIMIT * 2 + 5)
  const { got } = follow(0)
  await settle(100)
  t.equal(got.length, READ_LIMIT * 2 + 5)
  t.same(got, [...got].sort((a, b) => a - b), 'in order')
  const own = reads.own
  const latest = await addTasks(1)
  await settle()
  t.equal(got.at(-1), latest, 'then live')
  t.equal(reads.own, own, 'from the tail\'s reads')
})

t.test('a follower whose own read the tail has passed meanwhile reads again before it joins', async (t) => {
  const { reads, follow, addTasks } = await world(t)
  const leader = follow(0)
  await settle()
  let committed: number | undefined
  const late = follow(0, () => {}, async () => {
    if (committed !== undefined) return
    // A commit that the tail (already followed) reads before this follower has joined it.
    committed = await addTasks(1)
    await settle()
  })
  await settle(100)
  t.same(leader.got, [committed])
  t.same(late.got, [committed], 'read by itself, once')
  t.equal(reads.own, 3, 'a second read of its own, the tail having read past the first')
})

t.test('a follower still delivering when the tail reads again reads by itself: nothing lost, doubled or held for it', async (t) => {
  const { follow, addTasks } = await world(t)
  let release: (() => void) | undefined
  const slow = follow(0, async () => { await new Promise<void>((resolve) => { release = resolve }) })
  const quick = follow(0)
  await settle()
  await addTasks(1)
  await settle()
  t.ok(release !== undefined, 'the slow one is delivering')
  await addTasks(2)
  await settle()
  t.equal(quick.got.length, 3, 'the others are not held up')
  t.equal(slow.got.length, 0)
  // Released, it reads what it missed by itself, then rejoins the tail.
  while (slow.got.length < 3) {
    release?.()
    await settle()
  }
  t.same(slow.got, quick.got, 'every event once, in order')
  const latest = await addTasks(1)
  while (slow.got.length < 4) {
    release?.()
    await settle()
  }
  t.same(slow.got, [...quick.got], 'and live again')
  t.equal(slow.got.at(-1), latest)
})

t.test('events the tail had not read forgotten: its followers read on by themselves, and are told to reload', async (t) => {
  const { db, follow, addTasks, poll } = await world(t, { heard: false })
  const start = await addTasks(1)
  const { got, resets } = follow(start)
  await settle()
  const latest = await addTasks(3)
  await db.events.purgeBefore(Date.now() + 1000)
  poll()
  await settle()
  t.same(resets, [latest], 'a reset, from the newest event')
  t.same(got, [], 'and no event it may have missed')
  const next = await addTasks(1)
  poll()
  await settle()
  t.same(got, [next], 'then it follows on')
})

t.test('a read of the tail that fails fails every follower', async (t) => {
  const { follow, addTasks, failNext } = await world(t)
  const followers = [follow(0), follow(0)]
  await settle()
  failNext(new Error('the disk is on fire'))
  await addTasks(1)
  await settle()
  for (const { failures } of followers) t.match(failures, [{ message: 'the disk is on fire' }])
})

t.test('the tail reads only while followed', async (t) => {
  const { reads, follow, addTasks } = await world(t)
  const one = follow(0)
  await settle()
  one.following.stop()
  const before = reads.shared
  await addTasks(1)
  await settle()
  t.equal(reads.shared, before, 'no one follows: no read')
  const again = follow(await addTasks(1))
  await settle()
  const latest = await addTasks(1)
  await settle()
  t.same(again.got, [latest], 'followed again, it reads again')
})
