import type { Test } from 'tap'
import { mayRead, type EventReadRequest } from '../../../src/db/event-log.js'
import type { Viewer } from '../../../src/db/viewer.js'
import type { Task } from '../../../src/schemas/task.js'
import type { OpenDatabase } from './open-database.js'

const USERS = ['ann', 'bob', 'cat', 'eve', 'dan']

/** The contract of every EventLog: run on each database. */
export function eventLogContract (t: Test, open: OpenDatabase): void {
  t.test('one read for every reader, sorted out in memory, gives each reader exactly what their own read gives', async (t) => {
    const db = await open(t)
    const viewers: Record<string, Viewer> = {}
    for (const username of USERS) {
      const user = await db.users.create({ username, email: `${username}@example.com`, displayName: username, role: username === 'dan' ? 'admin' : 'member', passwordHash: 'not-a-hash' })
      if (typeof user === 'string') throw new Error(user)
      viewers[username] = { userId: user.id, username, admin: user.role === 'admin' }
    }
    const as = (username: string) => viewers[username] as Viewer
    // apollo: ann owns it, bob edits, cat views; gemini: eve's, then bob's too. Tasks of their own outside projects for ann and eve.
    await db.projects.create(as('ann'), { name: 'Apollo', slug: 'apollo', description: null, derived: false })
    await db.projects.putMember(as('ann'), 'apollo', 'bob', 'editor')
    await db.projects.putMember(as('ann'), 'apollo', 'cat', 'viewer')
    await db.projects.create(as('eve'), { name: 'Gemini', slug: 'gemini', description: null, derived: false })
    const task = async (username: string, project: string | null) => await db.tasks.create(as(username), { title: `${username}'s`, project }) as Task
    const moving = await task('ann', 'apollo')
    await task('eve', 'gemini')
    await task('ann', null)
    await task('eve', null)
    await db.tasks.update(as('ann'), moving.id, { status: 'done' })
    await db.comments.create(as('bob'), moving.id, 'Done indeed')
    // bob joins gemini; cat leaves apollo; apollo is renamed: what each may read is decided as they are now.
    await db.projects.putMember(as('eve'), 'gemini', 'bob', 'editor')
    await task('bob', 'gemini')
    await db.projects.removeMember(as('cat'), 'apollo', 'cat')
    await db.projects.update(as('ann'), 'apollo', { slug: 'apollo-11' })

    const apollo = (await db.projects.find(as('ann'), 'apollo-11'))?.id as number
    const gemini = (await db.projects.find(as('eve'), 'gemini'))?.id as number
    for (const limit of [100, 2]) {
      for (const projectIds of [undefined, [apollo], [gemini], [apollo, gemini], []]) {
        for (const username of USERS) {
          const viewer = as(username)
          const own: number[] = []
          const shared: number[] = []
          // Page by page to the end, each way.
          for (let after = 0, through = -1; after !== through;) {
            const request: EventReadRequest = { after, limit, projectIds }
            const read = await db.events.read(viewer, request)
            own.push(...read.events.map(({ seq }) => seq))
            through = after
            after = read.through
          }
          for (let after = 0, through = -1; after !== through;) {
            const read = await db.events.readWithReaders({ after, limit })
            shared.push(...read.events.filter((event) => (projectIds === undefined || (event.projectId !== null && projectIds.includes(event.projectId))) && mayRead(viewer, event, read.members)).map(({ seq }) => seq))
            through = after
            after = read.through
          }
          t.same(shared, own, `${username}, ${projectIds === undefined ? 'every project' : `projects [${projectIds.join(', ')}]`}, ${limit} at a time`)
        }
      }
    }
    const all = await db.events.readWithReaders({ after: 0, limit: 100 })
    t.ok(all.events.length >= 8, 'every event is read')
    t.match(all.events.find(({ type }) => type === 'comment.created'), { projectId: apollo, createdBy: as('ann').userId }, 'each with its task\'s project and creator')
    t.same([...all.members.values()].map((members) => [...members].sort((a, b) => a - b)).sort(), [[as('ann').userId, as('bob').userId], [as('bob').userId, as('eve').userId]].sort(), 'and the members of their projects')
  })

  t.test('a read from before the oldest event kept is a reset, for the shared read as for any', async (t) => {
    const db = await open(t)
    const user = await db.users.create({ username: 'ann', email: 'ann@example.com', displayName: 'ann', role: 'member', passwordHash: 'not-a-hash' })
    if (typeof user === 'string') throw new Error(user)
    const ann: Viewer = { userId: user.id, username: 'ann', admin: false }
    for (let n = 0; n < 3; n++) await db.tasks.create(ann, { title: `task ${n}`, project: null })
    const latest = await db.events.latest()
    t.equal(await db.events.purgeBefore(Date.now() + 1000), 2, 'all but the newest are forgotten')
    t.same(await db.events.readWithReaders({ after: 1, limit: 100 }), { events: [], through: 1, reset: true, members: new Map() })
    t.match(await db.events.readWithReaders({ after: latest - 1, limit: 100 }), { events: [{ seq: latest }], through: latest, reset: false })
  })
}
