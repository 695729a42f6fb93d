import type { Test } from 'tap'
import { LOCAL_PRINCIPAL } from '../../../src/auth/principal.js'
import type { TaskPage } from '../../../src/db/database.js'
import { seededRandom } from '../../../src/db/seeded-random.js'
import type { Viewer } from '../../../src/db/viewer.js'
import type { ProjectRole } from '../../../src/schemas/project.js'
import { TASK_STATUSES, type Task, type TaskListQuery } from '../../../src/schemas/task.js'
import { listDifferences, listQuery, sorts, type References, type StoredRow } from '../task-brute-force.js'
import type { OpenDatabase } from './open-database.js'

const MEMBERSHIPS: Record<string, Record<string, ProjectRole>> = {
  apollo: { ann: 'owner', bob: 'editor', cat: 'viewer' },
  zeus: { bob: 'owner' },
  hera: { cat: 'owner', ann: 'viewer' }
}
const MEMBERS = ['ann', 'bob', 'cat', 'eve']
const ADMIN = 'dan'
const DUE_TIMES = [null, null, '1999-01-01T09:00:00Z', '2004-06-30T17:30:00+02:00', '2091-01-01T00:00:00Z', '2123-03-04T05:06:07.089Z']

/** Users, projects with members, and tasks of every kind: in each project, of each user's own, some deleted. */
async function world (t: Test, open: OpenDatabase) {
  const db = await open(t)
  const viewers = new Map<string, Viewer>([['local', LOCAL_PRINCIPAL]])
  for (const username of [...MEMBERS, ADMIN]) {
    const user = await db.users.create({ username, email: `${username}@example.com`, displayName: username, role: username === ADMIN ? 'admin' : 'member', passwordHash: 'not-a-hash' })
    if (typeof user === 'string') throw new Error(user)
    viewers.set(username, { userId: user.id, username, admin: user.role === 'admin' })
  }
  const viewer = (name: string) => viewers.get(name) as Viewer
  for (const [slug, members] of Object.entries(MEMBERSHIPS)) {
    const owner = Object.keys(members).find((name) => members[name] === 'owner') as string
    await db.projects.create(viewer(owner), { name: slug, description: null, slug, derived: false })
    for (const [username, role] of Object.entries(members)) if (username !== owner) await db.projects.putMember(viewer(owner), slug, username, role)
  }
  // Who may put tasks where: their own (no project), and projects where they are at least an editor.
  const random = seededRandom(0x71515)
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T
  const words = ['report', 'budget', 'apollo launch', 'Zebra crossing', 'done deal', 'plan']
  // Due times (years from now, and shared) and places from a sequence of their own, leaving the rest as it was.
  const placeRandom = seededRandom(0xd0e)
  const pickPlaced = <T>(items: readonly T[]): T => items[Math.floor(placeRandom() * items.length)] as T
  for (let index = 0; index < 150; index++) {
    const creator = pick(['local', ...MEMBERS, ADMIN])
    const writable = Object.keys(MEMBERSHIPS).filter((slug) => creator === ADMIN || creator === 'local' || ['owner', 'editor'].includes(MEMBERSHIPS[slug]?.[creator] ?? ''))
    const project = random() < 0.4 ? null : (pick([null, ...writable]))
    const created = await db.tasks.create(viewer(creator), {
      title: `${pick(words)} ${index}`,
      description: random() < 0.5 ? null : `about the ${pick(words)}`,
      status: pick(TASK_STATUSES),
      priority: 1 + Math.floor(random() * 5),
      project,
      due_at: pickPlaced(DUE_TIMES),
      location: pickPlaced([null, null, { name: 'Launch pad', latitude: 28.5721, longitude: -80.648 }, { latitude: -45.5, longitude: 170.25 }])
    })
    if (typeof created === 'string') throw new Error(`${creator} could not create a task in ${project}: ${created}`)
    if (random() < 0.15) await db.tasks.softDelete(viewer(creator), created.id)
  }
  const everything = (await db.tasks.list(LOCAL_PRINCIPAL, listQuery({ include_deleted: true, limit: 1000 })) as TaskPage).items
  return { db, viewer, everything }
}

// Filters of every kind: none, status, priority with deleted tasks, due
// before a time, and overdue after one.
const FILTER_SETS: Array<Partial<TaskListQuery>> = [
  {}, { status: 'done' }, { priority: 2, include_deleted: true }, { due_before: '2050-01-01T00:00:00Z' }, { overdue: true, due_after: '2000-01-01T00:00:00Z' }
]

/** Whether `username` may see `task`, by the rules: admins everything; a member their own tasks outside projects, and their projects' tasks. */
function sees (username: string, task: Task): boolean {
  if (username === ADMIN || username === 'local') return true
  if (task.project === null) return task.created_by === username
  return MEMBERSHIPS[task.project]?.[username] !== undefined
}

/** A task as a stored row, for the brute force (ids of projects and users stand for their names). */
function rowOf (task: Task, ids: Map<string, number>): StoredRow {
  return {
    id: task.id,
    title: task.title,
    description: task.description,
    status: task.status,
    priority: task.priority,
    assignee: task.assignee,
    notify_email: task.notify_email,
    due_at: task.due_at === null ? null : Date.parse(task.due_at),
    location_name: task.location?.name ?? null,
    location_latitude: task.location?.latitude ?? null,
    location_longitude: task.location?.longitude ?? null,
    created_at: Date.parse(task.created_at),
    updated_at: Date.parse(task.updated_at),
    deleted_at: task.deleted_at === null ? null : Date.parse(task.deleted_at),
    version: task.version,
    project_id: task.project === null ? null : ids.get(task.project) as number,
    created_by: ids.get(task.created_by) as number
  }
}

/**
 * The contract of what each viewer sees of the tasks, for any TaskRepository:
 * run by each database's test file.
 */
export function taskVisibilityContract (t: Test, open: OpenDatabase): void {
  t.test('each user finds exactly the tasks they may see, and nothing of the others', async (t) => {
    const { db, viewer, everything } = await world(t, open)
    for (const username of ['local', ...MEMBERS, ADMIN]) {
      const wrong: string[] = []
      for (const task of everything) {
        const found = await db.tasks.findById(viewer(username), task.id)
        const expected = sees(username, task) && task.deleted_at === null ? task : undefined
        if (JSON.stringify(found) !== JSON.stringify(expected)) wrong.push(`task ${task.id} (${task.project ?? 'own'} of ${task.created_by})`)
      }
      t.same(wrong, [], `${username} finds exactly what they may see`)
    }
  })

  t.test('every list of every user is the brute force over what they may see: filters, project, search, sorts, pages and cursors', async (t) => {
    const { db, viewer, everything } = await world(t, open)
    // Names stand for ids in the brute force's rows.
    const names = [...new Set([...everything.map((task) => task.created_by), ...Object.keys(MEMBERSHIPS)])]
    const ids = new Map(names.map((name, index) => [name, index + 1]))
    const references: References = {
      projectSlug: (id) => names[id - 1] as string,
      username: (id) => names[id - 1] as string
    }
    for (const username of ['local', ...MEMBERS, ADMIN]) {
      const rows = everything.filter((task) => sees(username, task)).map((task) => rowOf(task, ids))
      const list = async (query: TaskListQuery, after?: Parameters<typeof db.tasks.list>[2]) => {
        const page = await db.tasks.list(viewer(username), query, after)
        if (page === 'project-not-found') throw new Error(`${username} was refused the list of ${query.project}`)
        return page
      }
      const visibleProjects = Object.keys(MEMBERSHIPS).filter((slug) => username === ADMIN || username === 'local' || MEMBERSHIPS[slug]?.[username] !== undefined)
      const differences: string[] = []
      for (const project of [undefined, ...visibleProjects]) {
        for (const filters of FILTER_SETS) {
          for (const q of [undefined, 're', 'report']) {
            for (const sort of sorts()) {
              const query = listQuery({ ...filters, ...sort, limit: 7, ...(project === undefined ? {} : { project }), ...(q === undefined ? {} : { q }) })
              differences.push(...await listDifferences(list, rows, query, { references, ...(project === undefined ? {} : { projectId: ids.get(project) as number }) }))
            }
          }
        }
      }
      t.same(differences, [], `${username}: every list as the brute force (${rows.length} tasks visible)`)
      for (const hidden of Object.keys(MEMBERSHIPS).filter((slug) => !visibleProjects.includes(slug))) {
        t.equal(await db.tasks.list(viewer(username), listQuery({ project: hidden })), 'project-not-found', `${username} cannot list project ${hidden}, exactly as one that does not exist`)
      }
      t.equal(await db.tasks.list(viewer(username), listQuery({ project: 'no-such-project' })), 'project-not-found')
    }
  })

  t.test('who may change a task: its creator outside projects, editors and owners of its project, admins; viewers are refused, outsiders find nothing', async (t) => {
    const { db, viewer } = await world(t, open)
    const create = async (username: string, project: string | null) => {
      const task = await db.tasks.create(viewer(username), { title: `${username} in ${project ?? 'own'}`, project })
      if (typeof task === 'string') throw new Error(task)
      return task
    }
    const inApollo = await create('ann', 'apollo')
    const own = await create('bob', null)
    const rules: Array<[string, Task, string]> = [
      ['ann', inApollo, 'changed'], ['bob', inApollo, 'changed'], ['cat', inApollo, 'forbidden'], ['eve', inApollo, 'not-found'], [ADMIN, inApollo, 'changed'],
      ['bob', own, 'changed'], ['ann', own, 'not-found'], [ADMIN, own, 'changed']
    ]
    for (const [username, task, outcome] of rules) {
      const updated = await db.tasks.update(viewer(username), task.id, { priority: 5 - (task.priority % 5) })
      t.equal(typeof updated === 'string' ? updated : 'changed', outcome, `${username} updating ${task.title}`)
      const deleted = await db.tasks.softDelete(viewer(username), task.id)
      t.equal(typeof deleted === 'string' ? deleted : 'changed', outcome, `${username} deleting ${task.title}`)
      if (typeof deleted !== 'string') {
        t.equal(await db.tasks.update(viewer(username), task.id, { title: 'gone' }), 'not-found', 'a deleted task is not found')
        const restored = await db.tasks.restore(viewer(username), task.id)
        t.equal(typeof restored === 'string' ? restored : 'changed', 'changed', `${username} restoring ${task.title}`)
      } else {
        t.equal(await db.tasks.restore(viewer(username), task.id), outcome, `${username} restoring ${task.title}`)
      }
    }
    // Refusals come before the precondition: a task one may not change says so, whatever If-Match said.
    t.equal(await db.tasks.update(viewer('cat'), inApollo.id, { title: 'x' }, { precondition: () => false }), 'forbidden')
    t.equal(await db.tasks.update(viewer('eve'), inApollo.id, { title: 'x' }, { precondition: () => false }), 'not-found')
    t.equal(await db.tasks.update(viewer('ann'), inApollo.id, { title: 'x' }, { precondition: () => false }), 'precondition-failed')
  })

  t.test('putting a task in a project, or taking it out, needs write access to that project', async (t) => {
    const { db, viewer } = await world(t, open)
    const own = await db.tasks.create(viewer('ann'), { title: 'Ann\'s', project: null }) as Task
    t.equal(await db.tasks.create(viewer('cat'), { title: 'x', project: 'apollo' }), 'project-forbidden', 'a viewer cannot create in the project')
    t.equal(await db.tasks.create(viewer('eve'), { title: 'x', project: 'apollo' }), 'project-not-found', 'an outsider cannot name it')
    t.equal(await db.tasks.create(viewer('ann'), { title: 'x', project: 'no-such' }), 'project-not-found')
    t.equal(await db.tasks.update(viewer('ann'), own.id, { project: 'hera' }), 'project-forbidden', 'ann only views hera')
    t.equal(await db.tasks.update(viewer('ann'), own.id, { project: 'zeus' }), 'project-not-found', 'ann cannot see zeus')
    const moved = await db.tasks.update(viewer('ann'), own.id, { project: 'apollo' }) as Task
    t.match(moved, { project: 'apollo', created_by: 'ann', version: own.version + 1 }, 'ann moves her task into apollo')
    t.same(await db.tasks.findById(viewer('cat'), own.id), moved, 'and apollo\'s viewer sees it now')
    t.equal(await db.tasks.update(viewer('cat'), own.id, { project: null }), 'forbidden', 'a viewer cannot take it out')
    const back = await db.tasks.update(viewer('bob'), own.id, { project: null }) as Task
    t.match(back, { project: null, created_by: 'ann' }, 'an editor takes it out: it is its creator\'s own again')
    t.equal(await db.tasks.findById(viewer('bob'), own.id), undefined, 'and no longer the editor\'s to see')
    t.same(await db.tasks.update(viewer('ann'), own.id, { project: null }), back, 'no move, no change')
    const bobs = await db.tasks.create(viewer('bob'), { title: 'Bob\'s', project: 'zeus' }) as Task
    t.equal(await db.tasks.update(viewer('bob'), bobs.id, { project: 'hera' }), 'project-not-found', 'moving needs the target too')
    t.match(await db.tasks.update(viewer('bob'), bobs.id, { project: 'apollo' }), { project: 'apollo' }, 'bob edits both zeus and apollo')
  })

  t.test('a renamed project\'s old slug still names it for tasks; the tasks show the new slug', async (t) => {
    const { db, viewer } = await world(t, open)
    const task = await db.tasks.create(viewer('ann'), { title: 'Launch', project: 'apollo' }) as Task
    await db.projects.update(viewer('ann'), 'apollo', { slug: 'artemis' })
    const renamed = await db.tasks.findById(viewer('bob'), task.id) as Task
    t.match(renamed, { project: 'artemis', version: task.version + 1 }, 'the task shows the new slug, at a new version')
    t.ok(Date.parse(renamed.updated_at) > Date.parse(task.updated_at), 'and a later updated_at, for incremental sync')
    t.match(await db.tasks.create(viewer('ann'), { title: 'By the old slug', project: 'apollo' }), { project: 'artemis' })
    const page = await db.tasks.list(viewer('cat'), listQuery({ project: 'apollo' })) as TaskPage
    t.ok(page.items.length > 0 && page.items.every((item) => item.project === 'artemis'), 'a list filtered by the old slug')
  })

  t.test('a member removed from a project stops seeing its tasks at once', async (t) => {
    const { db, viewer } = await world(t, open)
    const task = await db.tasks.create(viewer('ann'), { title: 'Secret plan', project: 'apollo' }) as Task
    t.ok(await db.tasks.findById(viewer('cat'), task.id))
    t.equal(await db.projects.removeMember(viewer('ann'), 'apollo', 'cat'), true)
    t.equal(await db.tasks.findById(viewer('cat'), task.id), undefined)
    t.notOk((await db.tasks.list(viewer('cat'), listQuery({ q: 'Secret', limit: 100 })) as TaskPage).items.some((item) => item.id === task.id), 'nor in a search')
  })
}
