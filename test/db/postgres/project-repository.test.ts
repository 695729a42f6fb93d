import t from 'tap'
import type { Database } from '../../../src/db/database.js'
import type { Page } from '../../../src/db/page.js'
import type { StoredUser } from '../../../src/db/user-repository.js'
import type { Viewer } from '../../../src/db/viewer.js'
import type { Member, Project } from '../../../src/schemas/project.js'
import type { Task } from '../../../src/schemas/task.js'
import { projectRepositoryContract } from '../contracts/projects.js'
import { openPostgres } from './open-database.js'
import { outcome, ROUNDS, twoInstances } from './two-instances.js'

projectRepositoryContract(t, openPostgres)

/** Creates ann and bob (members) on the instance, as viewers. */
async function annAndBob (db: Database): Promise<[Viewer, Viewer]> {
  const viewers = []
  for (const username of ['ann', 'bob']) {
    const user = await db.users.create({ username, email: null, displayName: username, role: 'member', passwordHash: 'h' }) as StoredUser
    viewers.push({ userId: user.id, username, admin: false })
  }
  return viewers as [Viewer, Viewer]
}

t.test('two instances creating projects named alike at once: each gets a slug of its own', async (t) => {
  const [one, two] = await twoInstances(t)
  const [ann, bob] = await annAndBob(one)
  for (let round = 0; round < ROUNDS; round++) {
    const launch = { name: `Launch ${round}`, description: null, slug: `launch-${round}`, derived: true }
    const created = await Promise.all([one.projects.create(ann, launch), two.projects.create(bob, launch)])
    t.same(created.map((project) => (project as Project).slug).sort(), [`launch-${round}`, `launch-${round}-2`])
  }
})

t.test('two owners of a project stepping down at once: one does, the other stays its last owner', async (t) => {
  const [one, two] = await twoInstances(t)
  const [ann, bob] = await annAndBob(one)
  for (let round = 0; round < ROUNDS; round++) {
    const slug = `apollo-${round}`
    await one.projects.create(ann, { name: 'Apollo', description: null, slug, derived: false })
    await one.projects.putMember(ann, slug, 'bob', 'owner')
    const [stepped, refused] = outcome(await Promise.all([one.projects.putMember(ann, slug, 'ann', 'editor'), two.projects.putMember(bob, slug, 'bob', 'editor')]))
    t.same([stepped.length, refused], [1, ['last-owner']])
    const members = await one.projects.members(ann, slug, { limit: 10, offset: 0 }) as Page<Member>
    t.same(members.items.map(({ role }) => role).sort(), ['editor', 'owner'], 'one owner is left')
  }
})

t.test('a project deleted while another instance puts a task in it: either the task is refused or the project stays', async (t) => {
  const [one, two] = await twoInstances(t)
  const [ann] = await annAndBob(one)
  for (let round = 0; round < ROUNDS; round++) {
    await one.projects.create(ann, { name: 'Apollo', description: null, slug: `apollo-${round}`, derived: false })
    const [task, deleted] = await Promise.all([one.tasks.create(ann, { title: 'Launch', project: `apollo-${round}` }), two.projects.delete(ann, `apollo-${round}`)])
    if (deleted === true) {
      t.equal(task, 'project-not-found', 'the project went first')
    } else {
      t.same([(task as Task).project, deleted], [`apollo-${round}`, 'not-empty'], 'the task went first')
    }
  }
})

t.test('a project deleted while another instance restores a deleted task of it: either the project stays, or the task is restored as its creator\'s own', async (t) => {
  const [one, two] = await twoInstances(t)
  const [ann] = await annAndBob(one)
  for (let round = 0; round < ROUNDS; round++) {
    const slug = `apollo-${round}`
    await one.projects.create(ann, { name: 'Apollo', description: null, slug, derived: false })
    const { id } = await one.tasks.create(ann, { title: 'Launch', project: slug }) as Task
    await one.tasks.softDelete(ann, id)
    const [restored, deleted] = await Promise.all([one.tasks.restore(ann, id), two.projects.delete(ann, slug)])
    const now = await one.tasks.findById(ann, id)
    if (deleted === true) {
      t.same([(restored as Task).project, now?.project], [null, null], 'the project went first')
    } else {
      t.same([(restored as Task).project, now?.project, deleted], [slug, slug, 'not-empty'], 'the restore went first')
    }
  }
})
