import type { Test } from 'tap'
import { LOCAL_PRINCIPAL } from '../../../src/auth/principal.js'
import type { Database, TaskPage } from '../../../src/db/database.js'
import type { NewProject } from '../../../src/db/project-repository.js'
import type { Viewer } from '../../../src/db/viewer.js'
import type { Task } from '../../../src/schemas/task.js'
import { listQuery } from '../task-brute-force.js'
import type { OpenDatabase } from './open-database.js'

function project (name: string, fields: Partial<NewProject> = {}): NewProject {
  return { name, description: null, slug: name.toLowerCase(), derived: false, ...fields }
}

/** A database with the users ann, bob, cat (members) and dan (an admin). */
async function people (t: Test, open: OpenDatabase): Promise<{ db: Database, as: (name: string) => Viewer }> {
  const db = await open(t)
  const viewers = new Map<string, Viewer>()
  for (const name of ['ann', 'bob', 'cat', 'dan']) {
    const user = await db.users.create({ username: name, email: null, displayName: name.toUpperCase(), role: name === 'dan' ? 'admin' : 'member', passwordHash: 'h' })
    if (typeof user === 'string') throw new Error(user)
    viewers.set(name, { userId: user.id, username: name, admin: user.role === 'admin' })
  }
  return { db, as: (name) => viewers.get(name) as Viewer }
}

/** The contract of every ProjectRepository. */
export function projectRepositoryContract (t: Test, open: OpenDatabase): void {
  t.test('whoever creates a project owns it; a slug made from the name gets a suffix when taken, a slug asked for does not', async (t) => {
    const { db, as } = await people(t, open)
    const created = await db.projects.create(as('ann'), project('Launch', { description: 'Go' }))
    t.match(created, { slug: 'launch', name: 'Launch', description: 'Go', role: 'owner' })
    t.match(await db.projects.create(as('bob'), project('Launch', { derived: true })), { slug: 'launch-2', role: 'owner' })
    t.match(await db.projects.create(as('cat'), project('Launch', { derived: true })), { slug: 'launch-3' })
    t.equal(await db.projects.create(as('cat'), project('Launch')), 'slug-taken')
    t.match(await db.projects.create(as('dan'), project('Other')), { role: 'owner' }, 'an admin who creates one owns it too')
  })

  t.test('members see their projects, with their role; admins see every project; nobody else sees one, even by its slug', async (t) => {
    const { db, as } = await people(t, open)
    for (const name of ['alpha', 'beta', 'gamma']) await db.projects.create(as('ann'), project(name))
    await db.projects.putMember(as('ann'), 'beta', 'bob', 'viewer')
    const bobs = await db.projects.list(as('bob'), { limit: 10, offset: 0 })
    t.same(bobs.items.map(({ slug, role }) => [slug, role]), [['beta', 'viewer']])
    t.equal(bobs.total, 1)
    const dans = await db.projects.list(as('dan'), { limit: 2, offset: 0 })
    t.same([dans.items.map(({ slug, role }) => [slug, role]), dans.total, dans.hasMore], [[['alpha', null], ['beta', null]], 3, true])
    t.same((await db.projects.list(as('ann'), { limit: 2, offset: 0, after: 'alpha' })).items.map(({ slug }) => slug), ['beta', 'gamma'])
    t.match(await db.projects.find(as('bob'), 'beta'), { project: { slug: 'beta', role: 'viewer' } })
    t.equal(await db.projects.find(as('bob'), 'alpha'), undefined, 'not a member: as if it did not exist')
    t.equal(await db.projects.find(as('cat'), 'nothing'), undefined)
    t.same((await db.projects.list(as('cat'), { limit: 10, offset: 0 })).items, [])
  })

  t.test('owners and admins change a project; a new slug leaves the old one pointing to it until another project takes it', async (t) => {
    const { db, as } = await people(t, open)
    await db.projects.create(as('ann'), project('apollo'))
    await db.projects.putMember(as('ann'), 'apollo', 'bob', 'editor')
    t.equal(await db.projects.update(as('bob'), 'apollo', { name: 'x' }), 'forbidden', 'an editor may not')
    t.equal(await db.projects.update(as('cat'), 'apollo', { name: 'x' }), 'not-found', 'an outsider finds nothing')
    await db.projects.create(as('cat'), project('zeus'))
    t.equal(await db.projects.update(as('ann'), 'apollo', { slug: 'zeus' }), 'slug-taken')
    const { id } = await db.projects.find(as('ann'), 'apollo') as { id: number }
    const renamed = await db.projects.update(as('ann'), 'apollo', { slug: 'artemis', name: 'Artemis', description: 'to the moon' })
    t.match(renamed, { slug: 'artemis', name: 'Artemis', description: 'to the moon', role: 'owner' })
    t.same(await db.projects.find(as('bob'), 'apollo'), { id, movedTo: 'artemis' }, 'the old slug points to the new one (the same project)')
    t.equal(await db.projects.find(as('cat'), 'apollo'), undefined, 'for those who may see it only')
    t.match(await db.projects.update(as('dan'), 'artemis', { slug: 'selene' }), { slug: 'selene', role: null }, 'an admin may rename it too')
    t.same(await db.projects.find(as('ann'), 'apollo'), { id, movedTo: 'selene' }, 'every old slug points to the latest')
    t.match(await db.projects.update(as('ann'), 'selene', { description: null }), { description: null, slug: 'selene' })
    t.match(await db.projects.create(as('cat'), project('apollo')), { slug: 'apollo', role: 'owner' }, 'another project may take an old slug')
    t.match(await db.projects.find(as('ann'), 'apollo'), undefined, 'which then names it, not the renamed one')
    t.match(await db.projects.find(as('cat'), 'apollo'), { project: { slug: 'apollo' } })
    t.not((await db.projects.find(as('cat'), 'apollo'))?.id, id, 'another project')
    t.same(await db.projects.find(as('bob'), 'artemis'), { id, movedTo: 'selene' })
  })

  t.test('renaming a project is an update of each of its live tasks: each one\'s task.updated is in the change log, as any update\'s', async (t) => {
    const { db, as } = await people(t, open)
    await db.projects.create(as('ann'), project('apollo'))
    await db.projects.putMember(as('ann'), 'apollo', 'bob', 'editor')
    const launch = await db.tasks.create(as('bob'), { title: 'Launch', project: 'apollo' }) as Task
    const land = await db.tasks.create(as('ann'), { title: 'Land', project: 'apollo', status: 'done' }) as Task
    const gone = await db.tasks.create(as('ann'), { title: 'Scrubbed', project: 'apollo' }) as Task
    await db.tasks.softDelete(as('ann'), gone.id)
    const before = await db.events.latest()
    await db.projects.update(as('ann'), 'apollo', { name: 'Apollo 11' })
    t.equal(await db.events.latest(), before, 'a new name alone changes no task')
    await db.projects.update(as('ann'), 'apollo', { slug: 'artemis' })
    const { events } = await db.events.read(as('bob'), { after: before, limit: 10 })
    const updated = events.map(({ type, body }) => ({ type, ...(JSON.parse(body) as { data: Task }) }))
    t.match(updated, [
      { type: 'task.updated', data: { id: launch.id, project: 'artemis', version: launch.version + 1, created_by: 'bob' } },
      { type: 'task.updated', data: { id: land.id, project: 'artemis', version: land.version + 1, status: 'done' } }
    ], 'the live tasks, as they are now (a done task is not completed again); the deleted one is not told of')
    t.equal(updated.length, 2)
    t.match(await db.tasks.findById(as('bob'), launch.id), { project: 'artemis', version: launch.version + 1 }, 'as stored')
    await db.tasks.softDelete(as('ann'), launch.id)
    await db.tasks.softDelete(as('ann'), land.id)
    const beforeDelete = await db.events.latest()
    t.equal(await db.projects.delete(as('ann'), 'artemis'), true)
    t.equal(await db.events.latest(), beforeDelete, 'deleting the project moves only deleted tasks: nothing to tell')
  })

  t.test('a project with tasks that are not deleted cannot be deleted; its deleted tasks stay, as their creators\' own', async (t) => {
    const { db, as } = await people(t, open)
    await db.projects.create(as('ann'), project('apollo'))
    await db.projects.putMember(as('ann'), 'apollo', 'bob', 'editor')
    const task = await db.tasks.create(as('bob'), { title: 'Launch', project: 'apollo' }) as Task
    t.equal(await db.projects.delete(as('bob'), 'apollo'), 'forbidden')
    t.equal(await db.projects.delete(as('cat'), 'apollo'), 'not-found')
    t.equal(await db.projects.delete(as('ann'), 'apollo'), 'not-empty')
    await db.tasks.softDelete(as('bob'), task.id)
    t.equal(await db.projects.delete(as('ann'), 'apollo'), true)
    t.equal(await db.projects.find(as('ann'), 'apollo'), undefined)
    const kept = (await db.tasks.list(as('bob'), listQuery({ include_deleted: true })) as TaskPage).items
    t.match(kept, [{ id: task.id, project: null, created_by: 'bob', version: task.version + 2 }], 'the deleted task is bob\'s own now, at a new version')
    await db.projects.create(as('ann'), project('zeus'))
    t.equal(await db.projects.delete(as('dan'), 'zeus'), true, 'an admin may delete one')
  })

  t.test('owners add members and change roles; a project keeps at least one owner', async (t) => {
    const { db, as } = await people(t, open)
    await db.projects.create(as('ann'), project('apollo'))
    t.same(await db.projects.putMember(as('ann'), 'apollo', 'BOB', 'viewer'), { member: { username: 'bob', display_name: 'BOB', role: 'viewer' }, created: true })
    t.same(await db.projects.putMember(as('ann'), 'apollo', 'bob', 'editor'), { member: { username: 'bob', display_name: 'BOB', role: 'editor' }, created: false })
    t.equal(await db.projects.putMember(as('bob'), 'apollo', 'cat', 'viewer'), 'forbidden', 'an editor does not manage members')
    t.equal(await db.projects.putMember(as('cat'), 'apollo', 'cat', 'owner'), 'not-found', 'nor does an outsider, who sees nothing')
    t.equal(await db.projects.putMember(as('ann'), 'apollo', 'nobody', 'viewer'), 'user-not-found')
    t.equal(await db.projects.putMember(as('ann'), 'apollo', 'ann', 'editor'), 'last-owner', 'the last owner cannot step down')
    t.match(await db.projects.putMember(as('dan'), 'apollo', 'bob', 'owner'), { member: { role: 'owner' } }, 'an admin manages members too')
    t.match(await db.projects.putMember(as('ann'), 'apollo', 'ann', 'editor'), { member: { role: 'editor' } }, 'with another owner, she can')
    const members = await db.projects.members(as('ann'), 'apollo', { limit: 1, offset: 0 })
    t.same(members, { items: [{ username: 'ann', display_name: 'ANN', role: 'editor' }], total: 2, hasMore: true })
    t.same(await db.projects.members(as('ann'), 'apollo', { limit: 5, offset: 0, after: 'ann' }), { items: [{ username: 'bob', display_name: 'BOB', role: 'owner' }], total: 2, hasMore: false })
    t.equal(await db.projects.members(as('cat'), 'apollo', { limit: 5, offset: 0 }), 'not-found')
  })

  t.test('owners remove members, members leave; the last owner stays', async (t) => {
    const { db, as } = await people(t, open)
    await db.projects.create(as('ann'), project('apollo'))
    await db.projects.putMember(as('ann'), 'apollo', 'bob', 'editor')
    await db.projects.putMember(as('ann'), 'apollo', 'cat', 'viewer')
    t.equal(await db.projects.removeMember(as('bob'), 'apollo', 'cat'), 'forbidden', 'an editor cannot remove others')
    t.equal(await db.projects.removeMember(as('bob'), 'apollo', 'dan'), 'forbidden', 'nor learn who is not a member')
    t.equal(await db.projects.removeMember(as('ann'), 'apollo', 'dan'), 'member-not-found')
    t.equal(await db.projects.removeMember(as('ann'), 'apollo', 'nobody'), 'member-not-found')
    t.equal(await db.projects.removeMember(as('cat'), 'apollo', 'cat'), true, 'a viewer leaves')
    t.equal(await db.projects.find(as('cat'), 'apollo'), undefined, 'and sees it no more')
    t.equal(await db.projects.removeMember(as('ann'), 'apollo', 'ann'), 'last-owner')
    t.equal(await db.projects.removeMember(as('ann'), 'apollo', 'bob'), true, 'an owner removes an editor')
    t.equal(await db.projects.removeMember(as('cat'), 'apollo', 'ann'), 'not-found')
    t.equal(await db.projects.removeMember(LOCAL_PRINCIPAL, 'apollo', 'ann'), 'last-owner', 'not even an admin removes the last owner')
  })
}
