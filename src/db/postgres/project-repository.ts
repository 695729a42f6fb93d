import { and, asc, count, eq, getTableColumns, gt, isNotNull, isNull, sql, type SQL } from 'drizzle-orm'
import type { ProjectRole } from '../../schemas/project.js'
import type { ProjectRepository } from '../project-repository.js'
import { shownMember, shownProject, type ProjectRow } from '../shown-project.js'
import type { Viewer } from '../viewer.js'
import type { TaskChange } from '../../jobs/task-change.js'
import { takeAdvisoryLock } from './advisory-lock.js'
import { ONE_SNAPSHOT } from './one-snapshot.js'
import { recordingWrites, type PostgresOutbox } from './outbox.js'
import type { PostgresConnection, PostgresTransaction } from './postgres-database.js'
import { projectMembers, projects, projectSlugRedirects, tasks, users } from './schema.js'
import { inTransaction } from './transaction.js'

/** What a query runs on: the pool, or a transaction. */
type Queryable = PostgresConnection | PostgresTransaction

// Taken by every write to projects and members: see createPostgresProjectRepository.
const PROJECTS_LOCK = 'task-api projects'

/** The viewer's role in the project of the row, or null. */
const roleOf = (viewer: Viewer) =>
  sql<ProjectRole | null>`(SELECT ${projectMembers.role} FROM ${projectMembers} WHERE ${projectMembers.projectId} = ${projects.id} AND ${projectMembers.userId} = ${viewer.userId})`
/** Whether the viewer may see the project of the row: an admin sees every one (no condition), anyone else those they are a member of. */
const visibleTo = (viewer: Viewer): SQL | undefined => viewer.admin ? undefined : sql`${roleOf(viewer)} IS NOT NULL`

/** A project's columns, with the viewer's role. */
const projectColumns = (viewer: Viewer) => ({ ...getTableColumns(projects), role: roleOf(viewer) })
const MEMBER_COLUMNS = { username: users.username, displayName: users.displayName, role: projectMembers.role }

/** The project with this slug, if the viewer may see it, with their role. */
async function find (db: Queryable, viewer: Viewer, slug: string): Promise<ProjectRow | undefined> {
  const [row] = await db.select(projectColumns(viewer)).from(projects).where(and(eq(projects.slug, slug), visibleTo(viewer)))
  return row
}

async function slugTaken (tx: PostgresTransaction, slug: string): Promise<boolean> {
  const [row] = await tx.select({ id: projects.id }).from(projects).where(eq(projects.slug, slug))
  return row !== undefined
}

async function userNamed (tx: PostgresTransaction, username: string) {
  const [row] = await tx.select({ id: users.id, username: users.username, displayName: users.displayName }).from(users)
    .where(eq(users.username, username.toLowerCase()))
  return row
}

async function roleIn (tx: PostgresTransaction, projectId: number, userId: number): Promise<ProjectRole | undefined> {
  const [row] = await tx.select({ role: projectMembers.role }).from(projectMembers)
    .where(and(eq(projectMembers.projectId, projectId), eq(projectMembers.userId, userId)))
  return row?.role
}

/** Whether a member with `role` is the project's only owner. */
async function isLastOwner (tx: PostgresTransaction, projectId: number, role: ProjectRole | undefined): Promise<boolean> {
  if (role !== 'owner') return false
  const [row] = await tx.select({ total: count() }).from(projectMembers)
    .where(and(eq(projectMembers.projectId, projectId), eq(projectMembers.role, 'owner')))
  return (row?.total ?? 0) <= 1
}

/**
 * Whether the project holds tasks that are not deleted, asked so that no
 * task can become one meanwhile. Its row is locked (FOR UPDATE) first: a task
 * write puts a task in a project only under FOR KEY SHARE of its row, so one
 * that got there first is committed, and counted, before this reads, and one
 * that comes later waits and then finds no project. Then its deleted tasks
 * are locked: a restore under way is waited for and counted, and one that
 * comes later waits and then restores the task outside any project.
 */
async function holdsLiveTasks (tx: PostgresTransaction, projectId: number): Promise<boolean> {
  await tx.select({ id: projects.id }).from(projects).where(eq(projects.id, projectId)).for('update')
  await tx.select({ id: tasks.id }).from(tasks).where(and(eq(tasks.projectId, projectId), isNotNull(tasks.deletedAt))).for('update')
  const [row] = await tx.select({ total: count() }).from(tasks).where(and(eq(tasks.projectId, projectId), isNull(tasks.deletedAt)))
  return (row?.total ?? 0) > 0
}

/**
 * Every task of the project shows another `project` now (`to`: its new slug,
 * or none when the project goes): each moves its version, for ETags and
 * incremental sync, and each live one's change is recorded as any update's
 * (its task.updated event, webhooks).
 */
async function moveTasks (tx: PostgresTransaction, viewer: Viewer, project: ProjectRow, to: string | null, now: number, record: (change: TaskChange) => Promise<void>): Promise<void> {
  const live = await tx.select({ task: tasks, creator: users.username }).from(tasks).innerJoin(users, eq(users.id, tasks.createdBy))
    .where(and(eq(tasks.projectId, project.id), isNull(tasks.deletedAt)))
  const before = new Map(live.map(({ task, creator }) => [task.id, { ...task, projectSlug: project.slug, creator }]))
  const moved = await tx.update(tasks)
    .set({ ...(to === null ? { projectId: null } : {}), version: sql`${tasks.version} + 1`, updatedAt: sql`greatest(${now}, ${tasks.updatedAt} + 1)` })
    .where(eq(tasks.projectId, project.id))
    .returning()
  for (const after of moved.sort((a, b) => a.id - b.id)) {
    const current = before.get(after.id)
    if (current !== undefined) await record({ operation: 'update', before: current, after: { ...after, projectSlug: to, creator: current.creator }, actor: viewer })
  }
}

/** Owners and admins manage a project. */
const manages = (viewer: Viewer, project: ProjectRow) => viewer.admin || project.role === 'owner'

/**
 * Projects and members in PostgreSQL. The viewer's visibility is part of
 * every query (`visibleTo`). Several instances may share the database, so
 * every write takes one advisory lock first, inside its transaction, and
 * reads the project, the viewer's role and whatever it checks (a free slug,
 * another owner) after it: a check and the write it guards never interleave
 * with another write's.
 */
export function createPostgresProjectRepository (db: PostgresConnection, outbox: PostgresOutbox): ProjectRepository {
  const writeRecording = recordingWrites(db, outbox)
  /** Runs `work` in a transaction that holds the projects lock; it records the task changes it makes with `record`. */
  const write = <T>(work: (tx: PostgresTransaction, record: (change: TaskChange) => Promise<void>) => Promise<T>) => writeRecording(async (tx, record) => {
    await takeAdvisoryLock(tx, PROJECTS_LOCK)
    return work(tx, record)
  })

  return {
    async create (viewer, { name, description, slug, derived }) {
      return write(async (tx) => {
        let free = slug
        for (let suffix = 2; await slugTaken(tx, free); suffix++) {
          if (!derived) return 'slug-taken'
          free = `${slug}-${suffix}`
        }
        const now = Date.now()
        // A new project takes an old slug from the project that had it.
        await tx.delete(projectSlugRedirects).where(eq(projectSlugRedirects.slug, free))
        const [created] = await tx.insert(projects).values({ slug: free, name, description, createdAt: now, updatedAt: now }).returning({ id: projects.id })
        const { id } = created as { id: number }
        await tx.insert(projectMembers).values({ projectId: id, userId: viewer.userId, role: 'owner' })
        return shownProject(await find(tx, viewer, free) as ProjectRow)
      })
    },

    async list (viewer, { limit, offset, after }) {
      return inTransaction(db, async (tx) => {
        const visible = visibleTo(viewer)
        // One more than the page, to tell whether another page follows.
        const rows = after === undefined
          ? await tx.select(projectColumns(viewer)).from(projects).where(visible).orderBy(asc(projects.slug)).limit(limit + 1).offset(offset)
          : await tx.select(projectColumns(viewer)).from(projects).where(and(visible, gt(projects.slug, after))).orderBy(asc(projects.slug)).limit(limit + 1)
        const [all] = await tx.select({ total: count() }).from(projects).where(visible)
        return { items: rows.slice(0, limit).map(shownProject), total: all?.total ?? 0, hasMore: rows.length > limit }
      }, ONE_SNAPSHOT)
    },

    async find (viewer, slug) {
      const project = await find(db, viewer, slug)
      if (project !== undefined) return { id: project.id, project: shownProject(project) }
      const [moved] = await db.select({ id: projects.id, slug: projects.slug }).from(projectSlugRedirects)
        .innerJoin(projects, eq(projects.id, projectSlugRedirects.projectId))
        .where(and(eq(projectSlugRedirects.slug, slug), visibleTo(viewer)))
      return moved === undefined ? undefined : { id: moved.id, movedTo: moved.slug }
    },

    async update (viewer, slug, { name, slug: newSlug, description }) {
      return write(async (tx, record) => {
        const project = await find(tx, viewer, slug)
        if (project === undefined) return 'not-found'
        if (!manages(viewer, project)) return 'forbidden'
        const now = Date.now()
        const renamed = newSlug !== undefined && newSlug !== project.slug
        if (renamed) {
          if (await slugTaken(tx, newSlug)) return 'slug-taken'
          await tx.delete(projectSlugRedirects).where(eq(projectSlugRedirects.slug, newSlug))
          await tx.insert(projectSlugRedirects).values({ slug: project.slug, projectId: project.id })
          await moveTasks(tx, viewer, project, newSlug, now, record)
        }
        await tx.update(projects).set({
          ...(name === undefined ? {} : { name }),
          ...(renamed ? { slug: newSlug } : {}),
          ...(description === undefined ? {} : { description }),
          updatedAt: now
        }).where(eq(projects.id, project.id))
        return shownProject(await find(tx, viewer, renamed ? newSlug : slug) as ProjectRow)
      })
    },

    async delete (viewer, slug) {
      return write(async (tx, record) => {
        const project = await find(tx, viewer, slug)
        if (project === undefined) return 'not-found'
        if (!manages(viewer, project)) return 'forbidden'
        if (await holdsLiveTasks(tx, project.id)) return 'not-empty'
        // All its tasks are deleted ones: they stay, as tasks of their creators' own.
        await moveTasks(tx, viewer, project, null, Date.now(), record)
        await tx.delete(projects).where(eq(projects.id, project.id))
        return true
      })
    },

    async members (viewer, slug, { limit, offset, after }) {
      return inTransaction(db, async (tx) => {
        const project = await find(tx, viewer, slug)
        if (project === undefined) return 'not-found'
        const ofProject = eq(projectMembers.projectId, project.id)
        const rows = after === undefined
          ? await tx.select(MEMBER_COLUMNS).from(projectMembers).innerJoin(users, eq(users.id, projectMembers.userId))
            .where(ofProject).orderBy(asc(users.username)).limit(limit + 1).offset(offset)
          : await tx.select(MEMBER_COLUMNS).from(projectMembers).innerJoin(users, eq(users.id, projectMembers.userId))
            .where(and(ofProject, gt(users.username, after))).orderBy(asc(users.username)).limit(limit + 1)
        const [all] = await tx.select({ total: count() }).from(projectMembers).where(ofProject)
        return { items: rows.slice(0, limit).map(shownMember), total: all?.total ?? 0, hasMore: rows.length > limit }
      }, ONE_SNAPSHOT)
    },

    async putMember (viewer, slug, username, role) {
      return write(async (tx) => {
        const project = await find(tx, viewer, slug)
        if (project === undefined) return 'not-found'
        if (!manages(viewer, project)) return 'forbidden'
        const user = await userNamed(tx, username)
        if (user === undefined) return 'user-not-found'
        const current = await roleIn(tx, project.id, user.id)
        if (role !== 'owner' && await isLastOwner(tx, project.id, current)) return 'last-owner'
        await tx.insert(projectMembers).values({ projectId: project.id, userId: user.id, role })
          .onConflictDoUpdate({ target: [projectMembers.projectId, projectMembers.userId], set: { role } })
        return { member: shownMember({ username: user.username, displayName: user.displayName, role }), created: current === undefined }
      })
    },

    async removeMember (viewer, slug, username) {
      return write(async (tx) => {
        const project = await find(tx, viewer, slug)
        if (project === undefined) return 'not-found'
        const user = await userNamed(tx, username)
        const current = user === undefined ? undefined : await roleIn(tx, project.id, user.id)
        if (user === undefined || current === undefined) return manages(viewer, project) ? 'member-not-found' : 'forbidden'
        if (!manages(viewer, project) && user.id !== viewer.userId) return 'forbidden'
        if (await isLastOwner(tx, project.id, current)) return 'last-owner'
        await tx.delete(projectMembers).where(and(eq(projectMembers.projectId, project.id), eq(projectMembers.userId, user.id)))
        return true
      })
    }
  }
}
