import { and, asc, count, eq, gt, isNull, sql } from 'drizzle-orm'
import type { ProjectRole } from '../../schemas/project.js'
import type { PageRequest } from '../page.js'
import type { ProjectRepository } from '../project-repository.js'
import { shownMember, shownProject, type ProjectRow } from '../shown-project.js'
import type { Viewer } from '../viewer.js'
import type { TaskChange } from '../../jobs/task-change.js'
import type { GroupCommit } from './group-commit.js'
import { recordingWrites, type SqliteOutbox } from './outbox.js'
import { projectMembers, projects, projectSlugRedirects, tasks, users } from './schema.js'
import type { SqliteConnection } from './sqlite-database.js'

const placeholder = (name: string) => sql.placeholder(name)

/** The viewer's role in the project of the row, or null. */
const viewerRole = sql<ProjectRole | null>`(SELECT ${projectMembers.role} FROM ${projectMembers} WHERE ${projectMembers.projectId} = ${projects.id} AND ${projectMembers.userId} = ${placeholder('viewer')})`
/** Whether the viewer may see the project of the row: an admin, or a member. */
const visible = sql`(${placeholder('admin')} = 1 OR ${viewerRole} IS NOT NULL)`

const PROJECT_COLUMNS = {
  id: projects.id,
  slug: projects.slug,
  name: projects.name,
  description: projects.description,
  createdAt: projects.createdAt,
  updatedAt: projects.updatedAt,
  role: viewerRole
}

/**
 * Projects and members in SQLite. The viewer's visibility is part of every
 * query (`visible`); a write reads the project and the viewer's role inside
 * its own transaction, so a membership removed meanwhile is seen.
 */
export function createSqliteProjectRepository (db: SqliteConnection, write: GroupCommit, outbox: SqliteOutbox): ProjectRepository {
  const writeRecording = recordingWrites(write, outbox)
  const bySlug = db.select(PROJECT_COLUMNS).from(projects)
    .where(and(eq(projects.slug, placeholder('slug')), visible))
    .prepare()
  const movedTo = db.select({ id: projects.id, slug: projects.slug }).from(projectSlugRedirects)
    .innerJoin(projects, eq(projects.id, projectSlugRedirects.projectId))
    .where(and(eq(projectSlugRedirects.slug, placeholder('slug')), visible))
    .prepare()
  const slugTaken = db.select({ id: projects.id }).from(projects).where(eq(projects.slug, placeholder('slug'))).prepare()
  const visibleCount = db.select({ total: count() }).from(projects).where(visible).prepare()
  const pageFrom = db.select(PROJECT_COLUMNS).from(projects).where(visible).orderBy(asc(projects.slug))
    .limit(placeholder('limit')).offset(placeholder('offset')).prepare()
  const pageAfter = db.select(PROJECT_COLUMNS).from(projects).where(and(visible, gt(projects.slug, placeholder('after')))).orderBy(asc(projects.slug))
    .limit(placeholder('limit')).prepare()

  const memberColumns = { username: users.username, displayName: users.displayName, role: projectMembers.role }
  const memberCount = db.select({ total: count() }).from(projectMembers).where(eq(projectMembers.projectId, placeholder('projectId'))).prepare()
  const membersFrom = db.select(memberColumns).from(projectMembers).innerJoin(users, eq(users.id, projectMembers.userId))
    .where(eq(projectMembers.projectId, placeholder('projectId'))).orderBy(asc(users.username))
    .limit(placeholder('limit')).offset(placeholder('offset')).prepare()
  const membersAfter = db.select(memberColumns).from(projectMembers).innerJoin(users, eq(users.id, projectMembers.userId))
    .where(and(eq(projectMembers.projectId, placeholder('projectId')), gt(users.username, placeholder('after')))).orderBy(asc(users.username))
    .limit(placeholder('limit')).prepare()
  const membership = db.select({ role: projectMembers.role }).from(projectMembers)
    .where(and(eq(projectMembers.projectId, placeholder('projectId')), eq(projectMembers.userId, placeholder('userId'))))
    .prepare()
  const ownerCount = db.select({ total: count() }).from(projectMembers)
    .where(and(eq(projectMembers.projectId, placeholder('projectId')), eq(projectMembers.role, 'owner')))
    .prepare()
  const userByName = db.select({ id: users.id, username: users.username, displayName: users.displayName }).from(users)
    .where(eq(users.username, placeholder('username'))).prepare()
  const liveTasks = db.select({ total: count() }).from(tasks)
    .where(and(eq(tasks.projectId, placeholder('projectId')), isNull(tasks.deletedAt)))
    .prepare()

  const viewing = (viewer: Viewer) => ({ viewer: viewer.userId, admin: viewer.admin ? 1 : 0 })
  const find = (viewer: Viewer, slug: string) => bySlug.get({ ...viewing(viewer), slug })
  /** Owners and admins manage a project. */
  const manages = (viewer: Viewer, project: ProjectRow) => viewer.admin || project.role === 'owner'
  const isLastOwner = (projectId: number, role: ProjectRole | undefined) =>
    role === 'owner' && (ownerCount.get({ projectId })?.total ?? 0) <= 1
  /**
   * Every task of the project shows another `project` now (`to`: its new
   * slug, or none when the project goes): each moves its version, for ETags
   * and incremental sync, and each live one's change is recorded as any
   * update's (its task.updated event, webhooks).
   */
  const moveTasks = (viewer: Viewer, project: ProjectRow, to: string | null, now: number, record: (change: TaskChange) => void) => {
    const before = new Map(db.select({ task: tasks, creator: users.username }).from(tasks).innerJoin(users, eq(users.id, tasks.createdBy))
      .where(and(eq(tasks.projectId, project.id), isNull(tasks.deletedAt))).all()
      .map(({ task, creator }) => [task.id, { ...task, projectSlug: project.slug, creator }]))
    const moved = db.update(tasks)
      .set({ ...(to === null ? { projectId: null } : {}), version: sql`${tasks.version} + 1`, updatedAt: sql`max(${now}, ${tasks.updatedAt} + 1)` })
      .where(eq(tasks.projectId, project.id))
      .returning().all()
    for (const after of moved.sort((a, b) => a.id - b.id)) {
      const current = before.get(after.id)
      if (current !== undefined) record({ operation: 'update', before: current, after: { ...after, projectSlug: to, creator: current.creator }, actor: viewer })
    }
  }

  const readPage = db.$client.transaction((viewer: Viewer, { limit, offset, after }: PageRequest) => {
    const values = { ...viewing(viewer), limit: limit + 1 }
    const rows = after === undefined ? pageFrom.all({ ...values, offset }) : pageAfter.all({ ...values, after })
    return { items: rows.slice(0, limit).map(shownProject), total: visibleCount.get(viewing(viewer))?.total ?? 0, hasMore: rows.length > limit }
  })
  const readMembers = db.$client.transaction((viewer: Viewer, slug: string, { limit, offset, after }: PageRequest) => {
    const project = find(viewer, slug)
    if (project === undefined) return 'not-found'
    const values = { projectId: project.id, limit: limit + 1 }
    const rows = after === undefined ? membersFrom.all({ ...values, offset }) : membersAfter.all({ ...values, after })
    return { items: rows.slice(0, limit).map(shownMember), total: memberCount.get({ projectId: project.id })?.total ?? 0, hasMore: rows.length > limit }
  })

  return {
    async create (viewer, { name, description, slug, derived }) {
      return write(() => {
        let free = slug
        for (let suffix = 2; slugTaken.get({ slug: free }) !== undefined; suffix++) {
          if (!derived) return 'slug-taken'
          free = `${slug}-${suffix}`
        }
        const now = Date.now()
        // A new project takes an old slug from the project that had it.
        db.delete(projectSlugRedirects).where(eq(projectSlugRedirects.slug, free)).run()
        const [created] = db.insert(projects).values({ slug: free, name, description, createdAt: now, updatedAt: now }).returning().all()
        const { id } = created as typeof projects.$inferSelect
        db.insert(projectMembers).values({ projectId: id, userId: viewer.userId, role: 'owner' }).run()
        return shownProject(find(viewer, free) as ProjectRow)
      })
    },

    async list (viewer, page) {
      return readPage(viewer, page)
    },

    async find (viewer, slug) {
      const project = find(viewer, slug)
      if (project !== undefined) return { id: project.id, project: shownProject(project) }
      const moved = movedTo.get({ ...viewing(viewer), slug })
      return moved === undefined ? undefined : { id: moved.id, movedTo: moved.slug }
    },

    async update (viewer, slug, { name, slug: newSlug, description }) {
      return writeRecording((record) => {
        const project = find(viewer, slug)
        if (project === undefined) return 'not-found'
        if (!manages(viewer, project)) return 'forbidden'
        const now = Date.now()
        const renamed = newSlug !== undefined && newSlug !== project.slug
        if (renamed) {
          if (slugTaken.get({ slug: newSlug }) !== undefined) return 'slug-taken'
          db.delete(projectSlugRedirects).where(eq(projectSlugRedirects.slug, newSlug)).run()
          db.insert(projectSlugRedirects).values({ slug: project.slug, projectId: project.id }).run()
          moveTasks(viewer, project, newSlug, now, record)
        }
        db.update(projects).set({
          ...(name === undefined ? {} : { name }),
          ...(renamed ? { slug: newSlug } : {}),
          ...(description === undefined ? {} : { description }),
          updatedAt: now
        }).where(eq(projects.id, project.id)).run()
        return shownProject(find(viewer, renamed ? newSlug : slug) as ProjectRow)
      })
    },

    async delete (viewer, slug) {
      return writeRecording((record) => {
        const project = find(viewer, slug)
        if (project === undefined) return 'not-found'
        if (!manages(viewer, project)) return 'forbidden'
        if ((liveTasks.get({ projectId: project.id })?.total ?? 0) > 0) return 'not-empty'
        // All its tasks are deleted ones: they stay, as tasks of their creators' own.
        moveTasks(viewer, project, null, Date.now(), record)
        db.delete(projects).where(eq(projects.id, project.id)).run()
        return true
      })
    },

    async members (viewer, slug, page) {
      return readMembers(viewer, slug, page)
    },

    async putMember (viewer, slug, username, role) {
      return write(() => {
        const project = find(viewer, slug)
        if (project === undefined) return 'not-found'
        if (!manages(viewer, project)) return 'forbidden'
        const user = userByName.get({ username: username.toLowerCase() })
        if (user === undefined) return 'user-not-found'
        const current = membership.get({ projectId: project.id, userId: user.id })?.role
        if (role !== 'owner' && isLastOwner(project.id, current)) return 'last-owner'
        db.insert(projectMembers).values({ projectId: project.id, userId: user.id, role })
          .onConflictDoUpdate({ target: [projectMembers.projectId, projectMembers.userId], set: { role } })
          .run()
        return { member: shownMember({ username: user.username, displayName: user.displayName, role }), created: current === undefined }
      })
    },

    async removeMember (viewer, slug, username) {
      return write(() => {
        const project = find(viewer, slug)
        if (project === undefined) return 'not-found'
        const user = userByName.get({ username: username.toLowerCase() })
        const current = user === undefined ? undefined : membership.get({ projectId: project.id, userId: user.id })?.role
        if (user === undefined || current === undefined) return manages(viewer, project) ? 'member-not-found' : 'forbidden'
        if (!manages(viewer, project) && user.id !== viewer.userId) return 'forbidden'
        if (isLastOwner(project.id, current)) return 'last-owner'
        db.delete(projectMembers).where(and(eq(projectMembers.projectId, project.id), eq(projectMembers.userId, user.id))).run()
        return true
      })
    }
  }
}
