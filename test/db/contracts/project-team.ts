import type { Test } from 'tap'
import type { Viewer } from '../../../src/db/viewer.js'
import type { ProjectRole } from '../../../src/schemas/project.js'
import type { Task } from '../../../src/schemas/task.js'
import type { OpenDatabase } from './open-database.js'

// apollo: ann owns it, bob edits, cat views. eve is in no project; dan is an administrator.
const APOLLO: Record<string, ProjectRole> = { bob: 'editor', cat: 'viewer' }

/** A new database with the users ann, bob, cat, eve and dan, the project apollo (see APOLLO), and a way to make tasks. */
export async function projectTeam (t: Test, open: OpenDatabase) {
  const db = await open(t)
  const viewers: Record<string, Viewer> = {}
  for (const username of ['ann', 'bob', 'cat', 'eve', 'dan']) {
    const user = await db.users.create({ username, email: `${username}@example.com`, displayName: username, role: username === 'dan' ? 'admin' : 'member', passwordHash: 'not-a-hash' })
    if (typeof user === 'string') throw new Error(user)
    viewers[username] = { userId: user.id, username, admin: user.role === 'admin' }
  }
  const as = (username: string) => viewers[username] as Viewer
  await db.projects.create(as('ann'), { name: 'Apollo', slug: 'apollo', description: null, derived: false })
  for (const [username, role] of Object.entries(APOLLO)) await db.projects.putMember(as('ann'), 'apollo', username, role)
  const task = async (username: string, project: string | null = null) => await db.tasks.create(as(username), { title: `${username}'s`, project }) as Task
  return { db, as, task }
}
