import { Writable } from 'node:stream'
import t, { type Test } from 'tap'
import pino from 'pino'
import { Rooms, type RoomMember } from '../../src/live/rooms.js'
import { openSqlite } from '../db/sqlite/open-database.js'

const settle = (ms = 30) => new Promise((resolve) => setTimeout(resolve, ms))

/** A member that notes what it is told. */
function member (username: string): RoomMember & { told: string[] } {
  const told: string[] = []
  return { username, told, presence: (projectId, change, who) => told.push(`${projectId} ${change} ${who}`) }
}

/** Two instances' rooms on one database, and what they log. */
async function instances (t: Test) {
  const db = await openSqlite(t)
  const warnings: string[] = []
  const log = pino({ level: 'warn' }, new Writable({ write (chunk: Buffer, _encoding, done) { warnings.push(JSON.parse(chunk.toString()).msg as string); done() } }))
  const open = () => {
    const rooms = new Rooms({ presence: db.presence, onChanged: db.onPresenceChanged, refreshMs: 50, log })
    t.teardown(() => rooms.close())
    return rooms
  }
  return { db, one: open(), other: open(), warnings }
}

t.test('each member is told who came and went on any instance, the difference from what it was told', async (t) => {
  const { one, other } = await instances(t)
  const ann = member('ann')
  const bob = member('bob')
  const cat = member('cat')
  t.same(await one.join(1, ann), ['ann'])
  // bob and cat come at once, on the other instance: the rooms look again for the second.
  t.same((await Promise.all([other.join(1, bob), other.join(1, cat)])).map((present) => present.includes('ann')), [true, true])
  await settle()
  t.same(ann.told.sort(), ['1 joined bob', '1 joined cat'])
  const bobAgain = member('bob')
  await one.join(1, bobAgain)
  other.leave(1, bob)
  await settle()
  t.same(ann.told.length, 2, 'bob on both instances, then on one: no news')
  one.leave(1, bobAgain)
  await settle()
  t.same(ann.told.slice(2), ['1 left bob'])
  t.same(cat.told, ['1 left bob'], 'told on the other instance too')
  await one.join(2, member('ann'))
  t.same(cat.told, ['1 left bob'], 'another project\'s room is another room')
})

t.test('a member gone while its seat was being taken leaves no seat behind', async (t) => {
  const { db, one, other } = await instances(t)
  const ann = member('ann')
  await other.join(1, ann)
  const dan = member('dan')
  const joining = one.join(1, dan)
  one.leave(1, dan)
  t.same(await joining, ['ann', 'dan'])
  await settle(100)
  t.same([...(await db.presence.present([1], Date.now())).get(1) ?? []], ['ann'], 'only ann sits in the room')
  t.notOk(ann.told.includes('1 joined dan') && !ann.told.includes('1 left dan'), 'dan is not left in it for ann')
})

t.test('an instance that closes gives up its seats; a database that fails is logged, and the rooms go on with what they know', async (t) => {
  const { db, one, other, warnings } = await instances(t)
  const ann = member('ann')
  await one.join(1, ann)
  await other.join(1, member('bob'))
  await settle()
  await other.close()
  await settle(200)
  t.same(ann.told, ['1 joined bob', '1 left bob'])

  await db.close()
  const cat = member('cat')
  t.same(await one.join(1, cat), ['ann', 'cat'], 'who is here, at least')
  one.leave(1, cat)
  await settle(100)
  t.ok(warnings.length > 0 && warnings.every((message) => message.startsWith('presence in the live feed')), 'logged')
})
