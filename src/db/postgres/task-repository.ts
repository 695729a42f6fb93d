import { and, asc, desc, eq, getTableColumns, gte, isNull, or, sql, type SQL } from 'drizzle-orm'
import type { AnyPgColumn } from 'drizzle-orm/pg-core'
import type { ListPosition, StoredResponse, TaskPage, TaskProjectRefusal, TaskRepository, WriteOptions, WriteRefusal } from '../database.js'
import { timestampOf } from '../iso-timestamp.js'
import { dueOrderKey, EARLIEST_DUE_AT, LATEST_DUE_AT } from '../due-order.js'
import { changedRow, fieldColumns, isChanged, likePattern, nextUpdatedAt, NONE, READ, toTask, WRITE, type TaskRecord } from '../task-record.js'
import type { Viewer } from '../viewer.js'
import { OPEN_STATUSES, withDefaults, type Task, type TaskListQuery } from '../../schemas/task.js'
import type { TaskChange } from '../../jobs/task-change.js'
import { recordingWrites, type PostgresOutbox } from './outbox.js'
import type { PostgresConnection, PostgresTransaction } from './postgres-database.js'
import { projectMembers, projects, projectSlugRedirects, taskCounts, tasks, users } from './schema.js'
import { inTransaction } from './transaction.js'

const SORT_COLUMNS = {
  created_at: tasks.createdAt,
  priority: tasks.priority,
  title: tasks.title
} as const

/** What a list is sorted on: the column, or for due times the order's key (src/db/due-order.ts). */
function sortKey (query: TaskListQuery): AnyPgColumn | SQL<number> {
  return query.sort_by === 'due_at' ? dueOrderKey(tasks.dueAt, query.sort_order) : SORT_COLUMNS[query.sort_by]
}

/** The viewer's access to the project with id `projectId`: admins write; members by role. */
function projectAccess (viewer: Viewer, projectId: AnyPgColumn): SQL<number> {
  if (viewer.admin) return sql<number>`${sql.raw(String(WRITE))}`
  return sql<number>`coalesce((SELECT CASE ${projectMembers.role} WHEN 'viewer' THEN ${sql.raw(String(READ))} ELSE ${sql.raw(String(WRITE))} END
    FROM ${projectMembers} WHERE ${projectMembers.projectId} = ${projectId} AND ${projectMembers.userId} = ${viewer.userId}), ${sql.raw(String(NONE))})`
}

/** The viewer's access to the task of the row: a task outside projects is its creator's alone. */
export function taskAccess (viewer: Viewer): SQL<number> {
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
 * task take turns and an If-Match holds across them. A write, its stored
 * idempotent response (`saveResponse`) and the jobs its change causes
 * (`outbox`) are one transaction.
 */
export function createPostgresTaskRepository (
  db: PostgresConnection,
  saveResponse: (tx: PostgresTransaction, response: StoredResponse) => Promise<void>,
  outbox: PostgresOutbox
): TaskRepository {
  /** The project a write or a filter names, if the viewer can see it: its id, current slug and the viewer's access. */
  const projectNamed = async (tx: PostgresConnection | PostgresTransaction, viewer: Viewer, slug: string, { lock = false } = {}) => {
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

  const writeRecording = recordingWrites(db, outbox)

  /**
   * Runs a change to one task (a live one, or any with `deleted`): if the
   * viewer sees it, may change it, and `plan` accepts, and if its
   * precondition holds; the change, its stored response and the jobs it
   * causes are one transaction. A plan that changes nothing answers the
   * current record.
   */
  const change = (
    operation: TaskChange['operation'],
    viewer: Viewer,
    id: number,
    { precondition, respond }: WriteOptions,
    { deleted = false },
    plan: (tx: PostgresTransaction, current: TaskRecord) => Promise<(() => Promise<TaskRecord>) | WriteRefusal>
  ): Promise<Task | WriteRefusal> => writeRecording(async (tx, record) => {
    const access = taskAccess(viewer)
    const [current] = await tx.select({ ...TASK_COLUMNS, access }).from(tasks)
      .where(and(eq(tasks.id, id), deleted ? undefined : isNull(tasks.deletedAt), sql`${access} > ${sql.raw(String(NONE))}`))
      .for('update', { of: tasks })
    if (current === undefined) return 'not-found'
    if (current.access !== WRITE) return 'forbidden'
    const apply = await plan(tx, current)
    if (typeof apply === 'string') return apply
    if (precondition !== undefined && !precondition(current)) return 'precondition-failed'
    const after = await apply()
    if (after !== current) await record({ operation, before: current, after, actor: viewer })
    return answer(tx, after, respond)
  })
  /** Sets the task's columns, answering the row with the references the API shows. */
  const save = async (tx: PostgresTransaction, id: number, values: Partial<typeof tasks.$inferInsert>, projectSlug: string | null, creator: string): Promise<TaskRecord> => {
    const [row] = await tx.update(tasks).set(values).where(eq(tasks.id, id)).returning()
    return { ...row as typeof tasks.$inferSelect, projectSlug, creator }
  }

  /** The total of a list the counters can give: an administrator's, without a project, search or time filter. */
  const countedTotal = (query: TaskListQuery): SQL<number> => {
    const counters = db.select({ total: sql<number>`coalesce(sum(${taskCounts.total}), 0)` }).from(taskCounts)
      .where(and(
        query.status === undefined ? undefined : eq(taskCounts.status, query.status),
        query.priority === undefined ? undefined : eq(taskCounts.priority, query.priority),
        query.include_deleted ? undefined : eq(taskCounts.deleted, false)
      ))
    return sql<number>`(${counters})`
  }

  /**
   * A page of an administrator's list of the whole table: its ids read in
   * order from the sort index of its shape (the rows are read whole only for
   * the page, not for the tasks an offset skips), and its total from the counters.
   */
  const sortedPage = (query: TaskListQuery, { where }: ListFilter, after: ListPosition | undefined, limit: number, offset: number) => ({
    candidates: undefined,
    page: db.select({ taskId: sql<number>`${tasks.id}`.as('task_id') }).from(tasks)
      .where(after === undefined ? where : and(where, afterPosition(sortKey(query), tasks.id, query, after)))
      .orderBy(...sortOrder(sortKey(query), tasks.id, query)).limit(limit).offset(offset).as('page'),
    total: countedTotal(query)
  })

  /**
   * A page, and the total, of a list that starts from its candidates: the
   * tasks a search finds through the trigram indexes, those of a project,
   * those a member can see, those changed since. They are gathered once (a
   * WITH query read twice, for the page and the count, which PostgreSQL
   * materializes, so that it never walks a whole sort index testing each task
   * instead), counted, and sorted: the cost follows the number of candidates,
   * never the size of the table.
   */
  const candidatePage = (query: TaskListQuery, { where, search }: ListFilter, after: ListPosition | undefined, limit: number, offset: number) => {
    // A search is found first, through its trigram indexes alone, and the
    // other filters are tested on what it found: left together, PostgreSQL
    // (which cannot tell how many tasks a search finds) may AND the search's
    // bitmap with that of a status index, reading a third of that index.
    const found = search === undefined ? tasks : sql`(SELECT * FROM ${tasks} WHERE ${search} OFFSET 0) AS ${tasks}`
    const candidates = db.$with('candidates').as(
      db.select({ id: sql<number>`${tasks.id}`.as('id'), sort: sql`${sortKey(query)}`.as('sort') }).from(found).where(where)
    )
    return {
      candidates,
      page: db.select({ taskId: sql<number>`${candidates.id}`.as('task_id') }).from(candidates)
        .where(after === undefined ? undefined : afterPosition(candidates.sort, candidates.id, query, after))
        .orderBy(...sortOrder(candidates.sort, candidates.id, query)).limit(limit).offset(offset).as('page'),
      total: sql<number>`(SELECT count(*) FROM ${candidates})`
    }
  }

  return {
    async create (viewer, input, { respond } = {}) {
      return writeRecording(async (tx, record) => {
        const project = await targetProject(tx, viewer, input.project ?? null)
        if (typeof project === 'string') return project
        const now = Date.now()
        const [row] = await tx.insert(tasks).values({
          ...fieldColumns(withDefaults(input)),
          projectId: project?.id ?? null,
          createdBy: viewer.userId,
          createdAt: now,
          updatedAt: now,
          version: 1
        }).returning()
        const created = { ...row as typeof tasks.$inferSelect, projectSlug: project?.slug ?? null, creator: viewer.username }
        await record({ operation: 'create', before: null, after: created, actor: viewer })
        return answer(tx, created, respond)
      })
    },

    async findById (viewer, id) {
      const [row] = await db.select(TASK_COLUMNS).from(tasks)
        .where(and(eq(tasks.id, id), isNull(tasks.deletedAt), viewer.admin ? undefined : memberSees(viewer)))
      return row === undefined ? undefined : toTask(row)
    },

    async list (viewer, query, after) {
      const project = query.project === undefined ? undefined : await projectNamed(db, viewer, query.project)
      if (query.project !== undefined && project === undefined) return 'project-not-found'
      const filter = listFilter(viewer, query, project?.id)
      // One more than the page, to tell whether another page follows.
      const limit = query.limit + 1
      const offset = after === undefined ? query.offset : 0
      const countable = viewer.admin && project === undefined && filter.search === undefined && query.updated_since === undefined &&
        query.due_before === undefined && query.due_after === undefined && query.overdue === undefined
      const { candidates, page, total } = countable
        ? sortedPage(query, filter, after, limit, offset)
        : candidatePage(query, filter, after, limit, offset)
      // One statement, so one snapshot: the total, and the page's tasks joined
      // to it (none, past the end: one row with the total alone).
      const rows = await (candidates === undefined ? db : db.with(candidates))
        .select({ ...TASK_COLUMNS, total: sql<number>`counted.total`.mapWith(Number) })
        .from(sql`(SELECT ${total} AS total) AS counted`)
        .leftJoin(page, sql`true`)
        .leftJoin(tasks, eq(tasks.id, page.taskId))
        .orderBy(...sortOrder(sortKey(query), tasks.id, query))
      const items = rows.flatMap(({ total: _, ...row }) => row.id === null ? [] : [toTask(row as TaskRecord)])
      return { items: items.slice(0, query.limit), total: (rows[0] as { total: number }).total, hasMore: items.length === limit }
    },

    async update (viewer, id, changes, options = {}) {
      return change('update', viewer, id, options, {}, async (tx, current) => {
        const project = changes.project === undefined ? undefined : await targetProject(tx, viewer, changes.project)
        if (typeof project === 'string') return project
        const next = changedRow(current, changes, project === undefined ? undefined : project?.id ?? null)
        if (!isChanged(current, next)) return async () => current
        const projectSlug = project === undefined ? current.projectSlug : project?.slug ?? null
        const { id: _, createdAt, createdBy, deletedAt, ...changed } = next
        return () => save(tx, id, { ...changed, updatedAt: nextUpdatedAt(current), version: current.version + 1 }, projectSlug, current.creator)
      })
    },

    async softDelete (viewer, id, options = {}) {
      return change('delete', viewer, id, options, {}, async (tx, current) => async () => {
        const now = nextUpdatedAt(current)
        return save(tx, id, { deletedAt: now, updatedAt: now, version: current.version + 1 }, current.projectSlug, current.creator)
      })
    },

    async restore (viewer, id, options = {}) {
      return change('restore', viewer, id, options, { deleted: true }, async (tx, current) => async () => {
        if (current.deletedAt === null) return current
        return save(tx, id, { deletedAt: null, updatedAt: nextUpdatedAt(current), version: current.version + 1 }, current.projectSlug, current.creator)
      })
    }
  }
}

/** What a list shows: the search (if any), and what else the task must be: seen by the viewer, in the project, through the filters. */
interface ListFilter {
  search: SQL | undefined
  where: SQL | undefined
}

function listFilter (viewer: Viewer, query: TaskListQuery, projectId: number | undefined): ListFilter {
  const q = query.q ?? ''
  // The exact test: a substring of the title or description, A-Z in any case
  // (ILIKE under the columns' "C" collation), found through the trigram indexes.
  const pattern = likePattern(q)
  return {
    search: q === '' ? undefined : or(sql`${tasks.title} ILIKE ${pattern}`, sql`${tasks.description} ILIKE ${pattern}`),
    where: and(
      viewer.admin ? undefined : memberSees(viewer),
      projectId === undefined ? undefined : eq(tasks.projectId, projectId),
      query.include_deleted ? undefined : isNull(tasks.deletedAt),
      query.status === undefined ? undefined : eq(tasks.status, query.status),
      query.priority === undefined ? undefined : eq(tasks.priority, query.priority),
      query.updated_since === undefined ? undefined : gte(tasks.updatedAt, timestampOf(query.updated_since)),
      ...dueConditions(query)
    )
  }
}

/**
 * The due-time filters, on an order's key (never null): the list's own when
 * it is sorted by due time, else the ascending one. A range between the
 * earliest and latest due times is then one the key's index reads (which
 * leaves out the tasks without one), and overdue (due before now, and still
 * open) is such a range with the open statuses; PostgreSQL weighs those
 * indexes against the sort index by its statistics.
 */
function dueConditions (query: TaskListQuery): Array<SQL | undefined> {
  const key = dueOrderKey(tasks.dueAt, query.sort_by === 'due_at' ? query.sort_order : 'asc')
  const due = (operator: '<' | '>=', bound: number) =>
    sql`(${key} BETWEEN ${EARLIEST_DUE_AT} AND ${LATEST_DUE_AT} AND ${key} ${sql.raw(operator)} ${bound})`
  const overdue = sql`(${due('<', Date.now())} AND ${tasks.status} IN ${OPEN_STATUSES})`
  return [
    query.due_before === undefined ? undefined : due('<', timestampOf(query.due_before)),
    query.due_after === undefined ? undefined : due('>=', timestampOf(query.due_after)),
    query.overdue === undefined ? undefined : query.overdue ? overdue : sql`NOT ${overdue}`
  ]
}

/** A list's order: its sort column, then the task id, in the asked direction. */
function sortOrder (sort: SQL | SQL.Aliased | AnyPgColumn, id: SQL.Aliased | AnyPgColumn, query: TaskListQuery) {
  const direction = query.sort_order === 'asc' ? asc : desc
  return [direction(sort), direction(id)] as const
}

/** The tasks after a position in the list's sort order (a row comparison, which the sort indexes answer). */
function afterPosition (sort: SQL | SQL.Aliased | AnyPgColumn, id: SQL.Aliased | AnyPgColumn, query: TaskListQuery, after: ListPosition): SQL {
  const operator = sql.raw(query.sort_order === 'asc' ? '>' : '<')
  return sql`(${sort}, ${id}) ${operator} (${after.value}, ${after.id})`
}
