import { and, asc, desc, eq, getTableColumns, gte, inArray, isNull, or, sql, type SQL } from 'drizzle-orm'
import type { AnyPgColumn } from 'drizzle-orm/pg-core'
import type { ListPosition, StoredResponse, TaskPage, TaskProjectRefusal, TaskRepository, WriteOptions, WriteRefusal } from '../database.js'
import { timestampOf } from '../iso-timestamp.js'
import { changedRow, isChanged, likePattern, nextUpdatedAt, NONE, READ, toTask, WRITE, type TaskRecord } from '../task-record.js'
import type { Viewer } from '../viewer.js'
import { withDefaults, type Task, type TaskListQuery } from '../../schemas/task.js'
import { ONE_SNAPSHOT } from './one-snapshot.js'
import type { PostgresConnection, PostgresTransaction } from './postgres-database.js'
import { projectMembers, projects, projectSlugRedirects, taskCounts, tasks, users } from './schema.js'
import { inTransaction } from './transaction.js'

const SORT_COLUMNS = {
  created_at: tasks.createdAt,
  priority: tasks.priority,
  title: tasks.title
} as const

/** The viewer's access to the project with id `projectId`: admins write; members by role. */
function projectAccess (viewer: Viewer, projectId: AnyPgColumn): SQL<number> {
  if (viewer.admin) return sql<number>`${sql.raw(String(WRITE))}`
  return sql<number>`coalesce((SELECT CASE ${projectMembers.role} WHEN 'viewer' THEN ${sql.raw(String(READ))} ELSE ${sql.raw(String(WRITE))} END
    FROM ${projectMembers} WHERE ${projectMembers.projectId} = ${projectId} AND ${projectMembers.userId} = ${viewer.userId}), ${sql.raw(String(NONE))})`
}

/** The viewer's access to the task of the row: a task outside projects is its creator's alone. */
function taskAccess (viewer: Viewer): SQL<number> {
  if (viewer.admin) return sql<number>`${sql.raw(String(WRITE))}`
  return sql<number>`CASE WHEN ${tasks.projectId} IS NULL
    THEN CASE WHEN ${tasks.createdBy} = ${viewer.userId} THEN ${sql.raw(String(WRITE))} ELSE ${sql.raw(String(NONE))} END
    ELSE ${projectAccess(viewer, tasks.projectId)} END`
}

/** Whether a member may see the task of the row (admins see every task). */
function memberSees (viewer: Viewer): SQL {
  return sql`((${tasks.projectId} IS NULL AND ${tasks.createdBy} = ${viewer.userId})
    OR ${tasks.projectId} IN (SELECT ${projectMembers.projectId} FROM ${projectMembers} WHERE ${projectMembers.userId} = ${viewer.userId}))`
}

/** A task row with its project's slug and its creator's username (scalar subqueries, read with the row). */
const TASK_COLUMNS = {
  ...getTableColumns(tasks),
  projectSlug: sql<string | null>`(SELECT ${projects.slug} FROM ${projects} WHERE ${projects.id} = ${tasks.projectId})`,
  creator: sql<string>`(SELECT ${users.username} FROM ${users} WHERE ${users.id} = ${tasks.createdBy})`
}

/**
 * Tasks in PostgreSQL. A list reads its page (and, where the counters cannot
 * give it, its total with a window over the matches) in one read-only
 * snapshot; a write locks the task's row (FOR UPDATE) before it checks the
 * viewer's access and its precondition, so that two instances changing one
 * task take turns and an If-Match holds across them. A write and its stored
 * idempotent response (`saveResponse`) are one transaction.
 */
export function createPostgresTaskRepository (
  db: PostgresConnection,
  saveResponse: (tx: PostgresTransaction, response: StoredResponse) => Promise<void>
): TaskRepository {
  /** The project a write or a filter names, if the viewer can see it: its id, current slug and the viewer's access. */
  const projectNamed = async (tx: PostgresTransaction, viewer: Viewer, slug: string, { lock = false } = {}) => {
    const columns = { id: projects.id, slug: projects.slug, access: projectAccess(viewer, projects.id) }
    // A task put in a project holds it (FOR KEY SHARE) until committed, so that
    // the project cannot be deleted from under it (see the project repository).
    const current = tx.select(columns).from(projects).where(eq(projects.slug, slug))
    const [project] = lock ? await current.for('key share', { of: projects }) : await current
    const renamed = project === undefined
      ? tx.select(columns).from(projectSlugRedirects).innerJoin(projects, eq(projects.id, projectSlugRedirects.projectId)).where(eq(projectSlugRedirects.slug, slug))
      : undefined
    const [found] = renamed === undefined ? [project] : lock ? await renamed.for('key share', { of: projects }) : await renamed
    return found === undefined || found.access === NONE ? undefined : found
  }
  /** The project a task is to be put in: null for none, or one the viewer may write to. */
  const targetProject = async (tx: PostgresTransaction, viewer: Viewer, slug: string | null): Promise<{ id: number, slug: string } | null | TaskProjectRefusal> => {
    if (slug === null) return null
    const project = await projectNamed(tx, viewer, slug, { lock: true })
    if (project === undefined) return 'project-not-found'
    return project.access === WRITE ? project : 'project-forbidden'
  }

  /** The task a write answers with, its idempotent response stored first when there is one. */
  const answer = async (tx: PostgresTransaction, record: TaskRecord, respond: WriteOptions['respond']): Promise<Task> => {
    const task = toTask(record)
    if (respond !== undefined) await saveResponse(tx, respond(task))
    return task
  }

  /**
   * Runs a change to one task (a live one, or any with `deleted`): if the
   * viewer sees it, may change it, and `plan` accepts, and if its
   * precondition holds; the change and its stored response are one transaction.
   */
  const change = (
    viewer: Viewer,
    id: number,
    { precondition, respond }: WriteOptions,
    { deleted = false },
    plan: (tx: PostgresTransaction, current: TaskRecord) => Promise<(() => Promise<TaskRecord>) | WriteRefusal>
  ): Promise<Task | WriteRefusal> => inTransaction(db, async (tx) => {
    const access = taskAccess(viewer)
    const [current] = await tx.select({ ...TASK_COLUMNS, access }).from(tasks)
      .where(and(eq(tasks.id, id), deleted ? undefined : isNull(tasks.deletedAt), sql`${access} > ${sql.raw(String(NONE))}`))
      .for('update', { of: tasks })
    if (current === undefined) return 'not-found'
    if (current.access !== WRITE) return 'forbidden'
    const apply = await plan(tx, current)
    if (typeof apply === 'string') return apply
    if (precondition !== undefined && !precondition(current)) return 'precondition-failed'
    return answer(tx, await apply(), respond)
  })
  /** Sets the task's columns, answering the row with the references the API shows. */
  const save = async (tx: PostgresTransaction, id: number, values: Partial<typeof tasks.$inferInsert>, projectSlug: string | null, creator: string): Promise<TaskRecord> => {
    const [row] = await tx.update(tasks).set(values).where(eq(tasks.id, id)).returning()
    return { ...row as typeof tasks.$inferSelect, projectSlug, creator }
  }

  /** The total of a list the counters can give: an administrator's, without a project, search or time filter. */
  const countedTotal = async (tx: PostgresTransaction, query: TaskListQuery): Promise<number> => {
    const [row] = await tx.select({ total: sql<number>`coalesce(sum(${taskCounts.total}), 0)`.mapWith(Number) }).from(taskCounts)
      .where(and(
        query.status === undefined ? undefined : eq(taskCounts.status, query.status),
        query.priority === undefined ? undefined : eq(taskCounts.priority, query.priority),
        query.include_deleted ? undefined : eq(taskCounts.deleted, false)
      ))
    return (row as { total: number }).total
  }

  /** The tasks with these ids, whole, in the order of the ids. */
  const tasksOf = async (tx: PostgresTransaction, ids: number[]): Promise<Task[]> => {
    if (ids.length === 0) return []
    const rows = new Map((await tx.select(TASK_COLUMNS).from(tasks).where(inArray(tasks.id, ids))).map((row) => [row.id, row]))
    return ids.map((id) => toTask(rows.get(id) as TaskRecord))
  }
  /**
   * The ids of a page of an administrator's list of the whole table, read in
   * order from the sort index of its shape: the rows are read whole only for
   * the page (tasksOf), not for the tasks an offset skips.
   */
  const sortedIds = async (tx: PostgresTransaction, query: TaskListQuery, where: SQL | undefined, after: ListPosition | undefined, limit: number, offset: number) => {
    const rows = await tx.select({ id: tasks.id }).from(tasks)
      .where(after === undefined ? where : and(where, afterPosition(query, after)))
      .orderBy(...sortOrder(query)).limit(limit).offset(offset)
    return rows.map(({ id }) => id)
  }
  /**
   * The ids of a page, and the total, of a list that starts from its
   * candidates: the tasks a search finds through the trigram indexes, those
   * of a project, those a member can see, those changed since. They are
   * gathered once (MATERIALIZED, so PostgreSQL never walks a whole sort index
   * testing each task instead), counted, and sorted: the cost follows the
   * number of candidates, never the size of the table.
   */
  const candidatePage = async (tx: PostgresTransaction, query: TaskListQuery, where: SQL | undefined, after: ListPosition | undefined, limit: number, offset: number) => {
    const direction = sql.raw(query.sort_order === 'asc' ? 'ASC' : 'DESC')
    const position = after === undefined ? sql`` : sql`WHERE (sort, id) ${sql.raw(query.sort_order === 'asc' ? '>' : '<')} (${after.value}, ${after.id})`
    // Raw rows: pg reads bigint as text.
    const { rows } = await tx.execute<{ id: string, total: string }>(sql`
      WITH candidates AS MATERIALIZED (SELECT ${tasks.id} AS id, ${SORT_COLUMNS[query.sort_by]} AS sort FROM ${tasks} WHERE ${where ?? sql`true`})
      SELECT id, (SELECT count(*) FROM candidates) AS total FROM candidates ${position}
      ORDER BY sort ${direction}, id ${direction} LIMIT ${limit} OFFSET ${offset}`)
    // An empty page (past the end) has no row to carry the total.
    const total = rows[0] === undefined
      ? ((await tx.select({ total: sql<number>`count(*)`.mapWith(Number) }).from(tasks).where(where))[0] as { total: number }).total
      : Number(rows[0].total)
    return { ids: rows.map(({ id }) => Number(id)), total }
  }

  return {
    async create (viewer, input, { respond } = {}) {
      return inTransaction(db, async (tx) => {
        const project = await targetProject(tx, viewer, input.project ?? null)
        if (typeof project === 'string') return project
        const now = Date.now()
        const [row] = await tx.insert(tasks).values({
          ...withDefaults(input),
          projectId: project?.id ?? null,
          createdBy: viewer.userId,
          createdAt: now,
          updatedAt: now,
          version: 1
        }).returning()
        return answer(tx, { ...row as typeof tasks.$inferSelect, projectSlug: project?.slug ?? null, creator: viewer.username }, respond)
      })
    },

    async findById (viewer, id) {
      const [row] = await db.select(TASK_COLUMNS).from(tasks)
        .where(and(eq(tasks.id, id), isNull(tasks.deletedAt), viewer.admin ? undefined : memberSees(viewer)))
      return row === undefined ? undefined : toTask(row)
    },

    async list (viewer, query, after) {
      return inTransaction(db, async (tx): Promise<TaskPage | 'project-not-found'> => {
        const project = query.project === undefined ? undefined : await projectNamed(tx, viewer, query.project)
        if (query.project !== undefined && project === undefined) return 'project-not-found'
        const where = listFilter(viewer, query, project?.id)
        // One more than the page, to tell whether another page follows.
        const limit = query.limit + 1
        const offset = after === undefined ? query.offset : 0
        const countable = viewer.admin && project === undefined && (query.q ?? '') === '' && query.updated_since === undefined
        const { ids, total } = countable
          ? { ids: await sortedIds(tx, query, where, after, limit, offset), total: await countedTotal(tx, query) }
          : await candidatePage(tx, query, where, after, limit, offset)
        return { items: await tasksOf(tx, ids.slice(0, query.limit)), total, hasMore: ids.length === limit }
      }, ONE_SNAPSHOT)
    },

    async update (viewer, id, changes, options = {}) {
      return change(viewer, id, options, {}, async (tx, current) => {
        const project = changes.project === undefined ? undefined : await targetProject(tx, viewer, changes.project)
        if (typeof project === 'string') return project
        const next = changedRow(current, changes, project === undefined ? undefined : project?.id ?? null)
        if (!isChanged(current, next)) return async () => current
        const projectSlug = project === undefined ? current.projectSlug : project?.slug ?? null
        const { title, description, status, priority, assignee, projectId } = next
        return () => save(tx, id, { title, description, status, priority, assignee, projectId, updatedAt: nextUpdatedAt(current), version: current.version + 1 }, projectSlug, current.creator)
      })
    },

    async softDelete (viewer, id, options = {}) {
      return change(viewer, id, options, {}, async (tx, current) => async () => {
        const now = nextUpdatedAt(current)
        return save(tx, id, { deletedAt: now, updatedAt: now, version: current.version + 1 }, current.projectSlug, current.creator)
      })
    },

    async restore (viewer, id, options = {}) {
      return change(viewer, id, options, { deleted: true }, async (tx, current) => async () => {
        if (current.deletedAt === null) return current
        return save(tx, id, { deletedAt: null, updatedAt: nextUpdatedAt(current), version: current.version + 1 }, current.projectSlug, current.creator)
      })
    }
  }
}

/** What a list shows: what the viewer can see, in the project, with the filters and the search. */
function listFilter (viewer: Viewer, query: TaskListQuery, projectId: number | undefined): SQL | undefined {
  const q = query.q ?? ''
  // The exact test: a substring of the title or description, A-Z in any case
  // (ILIKE under the columns' "C" collation), found through the trigram indexes.
  const pattern = likePattern(q)
  return and(
    viewer.admin ? undefined : memberSees(viewer),
    projectId === undefined ? undefined : eq(tasks.projectId, projectId),
    query.include_deleted ? undefined : isNull(tasks.deletedAt),
    query.status === undefined ? undefined : eq(tasks.status, query.status),
    query.priority === undefined ? undefined : eq(tasks.priority, query.priority),
    query.updated_since === undefined ? undefined : gte(tasks.updatedAt, timestampOf(query.updated_since)),
    q === '' ? undefined : or(sql`${tasks.title} ILIKE ${pattern}`, sql`${tasks.description} ILIKE ${pattern}`)
  )
}

function sortOrder (query: TaskListQuery) {
  const direction = query.sort_order === 'asc' ? asc : desc
  return [direction(SORT_COLUMNS[query.sort_by]), direction(tasks.id)] as const
}

/** The tasks after a position in the list's sort order (a row comparison, which the sort indexes answer). */
function afterPosition (query: TaskListQuery, after: ListPosition): SQL {
  const operator = sql.raw(query.sort_order === 'asc' ? '>' : '<')
  return sql`(${SORT_COLUMNS[query.sort_by]}, ${tasks.id}) ${operator} (${after.value}, ${after.id})`
}
