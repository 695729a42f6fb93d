import { and, asc, desc, eq, gte, isNull, or, sql, type SQL } from 'drizzle-orm'
import type { ListPosition, StoredResponse, TaskPage, TaskProjectRefusal, TaskRepository, WriteOptions, WriteRefusal } from '../database.js'
import { OPEN_STATUSES, withDefaults, type Task, type TaskListQuery } from '../../schemas/task.js'
import { timestampOf } from '../iso-timestamp.js'
import { dueOrderKey, EARLIEST_DUE_AT, LATEST_DUE_AT } from '../due-order.js'
import { changedColumns, changedRow, fieldColumns, isChanged, likePattern, nextUpdatedAt, NONE, READ, toTask, WRITE, type ChangeableColumn, type TaskRecord, type TaskRow } from '../task-record.js'
import type { Viewer } from '../viewer.js'
import type { TaskChange } from '../../jobs/task-change.js'
import type { AnySQLiteColumn } from 'drizzle-orm/sqlite-core'
import type { GroupCommit } from './group-commit.js'
import { createListPageCache } from './list-page-cache.js'
import { projectMembers, projects, projectSlugRedirects, taskCounts, tasks, users } from './schema.js'
import { recordingWrites, type SqliteOutbox } from './outbox.js'
import type { SqliteConnection } from './sqlite-database.js'
import { searchMatchExpression, TRIGRAM_LENGTH } from './search-match.js'

const SORT_COLUMNS = {
  created_at: tasks.createdAt,
  priority: tasks.priority,
  title: tasks.title
} as const

const placeholder = (name: string) => sql.placeholder(name)
/** A placeholder where drizzle's `set()` wants an SQL value. */
const value = (name: string) => sql`${sql.placeholder(name)}`

/** The viewer's access to the project with id `projectId`: admins write; members by role. */
const projectAccess = (projectId: AnySQLiteColumn) => sql<number>`CASE WHEN ${placeholder('admin')} = 1 THEN ${WRITE} ELSE coalesce(
  (SELECT CASE ${projectMembers.role} WHEN 'viewer' THEN ${READ} ELSE ${WRITE} END FROM ${projectMembers}
   WHERE ${projectMembers.projectId} = ${projectId} AND ${projectMembers.userId} = ${placeholder('viewer')}), ${NONE}) END`
/** The viewer's access to the task of the row: a task outside projects is its creator's alone (placeholders: `viewing`). */
export const taskAccess = sql<number>`CASE WHEN ${tasks.projectId} IS NULL
  THEN CASE WHEN ${placeholder('admin')} = 1 OR ${tasks.createdBy} = ${placeholder('viewer')} THEN ${WRITE} ELSE ${NONE} END
  ELSE ${projectAccess(tasks.projectId)} END`
/** Whether a member may see the task of the row (admins see every task). */
const memberSees = sql`((${tasks.projectId} IS NULL AND ${tasks.createdBy} = ${placeholder('viewer')})
  OR ${tasks.projectId} IN (SELECT ${projectMembers.projectId} FROM ${projectMembers} WHERE ${projectMembers.userId} = ${placeholder('viewer')}))`

/**
 * A task row with what the API shows of its references: the project's slug
 * and the creator's username, read with the row (scalar subqueries, so they
 * never change how SQLite plans the row's own query).
 */
const TASK_COLUMNS = {
  id: tasks.id,
  title: tasks.title,
  description: tasks.description,
  status: tasks.status,
  priority: tasks.priority,
  assignee: tasks.assignee,
  createdAt: tasks.createdAt,
  updatedAt: tasks.updatedAt,
  deletedAt: tasks.deletedAt,
  version: tasks.version,
  projectId: tasks.projectId,
  createdBy: tasks.createdBy,
  notifyEmail: tasks.notifyEmail,
  dueAt: tasks.dueAt,
  locationName: tasks.locationName,
  locationLatitude: tasks.locationLatitude,
  locationLongitude: tasks.locationLongitude,
  projectSlug: sql<string | null>`(SELECT ${projects.slug} FROM ${projects} WHERE ${projects.id} = ${tasks.projectId})`,
  creator: sql<string>`(SELECT ${users.username} FROM ${users} WHERE ${users.id} = ${tasks.createdBy})`
}

/** A task as a write reads it: with the viewer's access. */
interface AccessedRecord extends TaskRecord {
  access: number
}

/**
 * Tasks in SQLite. Every statement is prepared once, with placeholders; the
 * list has one statement per shape (filters present, sort, search, paging,
 * whose tasks), so that SQLite plans each shape on the index made for it.
 * Rows are read as arrays (drizzle's `values()`) and turned into tasks in one
 * step. Writes go through group commit; a write reads the viewer's access,
 * checks its precondition, and stores its idempotent response
 * (`saveResponse`) and the jobs its change causes (`outbox`) in its own
 * transaction.
 */
export function createSqliteTaskRepository (
  db: SqliteConnection,
  write: GroupCommit,
  saveResponse: (response: StoredResponse) => void,
  outbox: SqliteOutbox
): TaskRepository {
  const accessed = { ...TASK_COLUMNS, access: taskAccess }
  const findLive = db.select(accessed).from(tasks)
    .where(and(eq(tasks.id, placeholder('id')), isNull(tasks.deletedAt), sql`${taskAccess} > ${NONE}`))
    .prepare()
  const findAny = db.select(accessed).from(tasks)
    .where(and(eq(tasks.id, placeholder('id')), sql`${taskAccess} > ${NONE}`))
    .prepare()
  // A project by its slug, or by an old slug it answers to, with the viewer's access to it.
  const projectColumns = { id: projects.id, slug: projects.slug, access: projectAccess(projects.id) }
  const projectBySlug = db.select(projectColumns).from(projects).where(eq(projects.slug, placeholder('slug'))).prepare()
  const projectByOldSlug = db.select(projectColumns).from(projectSlugRedirects)
    .innerJoin(projects, eq(projects.id, projectSlugRedirects.projectId))
    .where(eq(projectSlugRedirects.slug, placeholder('slug')))
    .prepare()
  const insert = db.insert(tasks).values({
    title: placeholder('title'),
    description: placeholder('description'),
    status: placeholder('status'),
    priority: placeholder('priority'),
    assignee: placeholder('assignee'),
    notifyEmail: placeholder('notifyEmail'),
    dueAt: placeholder('dueAt'),
    locationName: placeholder('locationName'),
    locationLatitude: placeholder('locationLatitude'),
    locationLongitude: placeholder('locationLongitude'),
    projectId: placeholder('projectId'),
    createdBy: placeholder('viewer'),
    createdAt: placeholder('now'),
    updatedAt: placeholder('now'),
    version: 1
  }).returning().prepare()
  // An UPDATE maintains every index over a column it sets, whether or not
  // the value changes: each write sets only the columns it changes (one
  // statement per set of them, prepared when first needed), so renaming a
  // task leaves its status, due and project indexes alone.
  const updates = new Map<string, ReturnType<typeof prepareUpdate>>()
  const prepareUpdate = (columns: readonly ChangeableColumn[]) => db.update(tasks)
    .set({ ...Object.fromEntries(columns.map((column) => [column, value(column)])), updatedAt: value('updatedAt'), version: value('version') })
    .where(eq(tasks.id, placeholder('id'))).returning().prepare()
  const updateChanged = (current: TaskRow, next: TaskRow, values: { updatedAt: number, version: number }) => {
    const columns = changedColumns(current, next)
    const key = columns.join()
    let update = updates.get(key)
    if (update === undefined) {
      update = prepareUpdate(columns)
      updates.set(key, update)
    }
    return update.values({ ...next, ...values })
  }
  const setDeletedAt = db.update(tasks)
    .set({ deletedAt: value('deletedAt'), updatedAt: value('updatedAt'), version: value('version') })
    .where(eq(tasks.id, placeholder('id')))
    .returning()
    .prepare()
  const countTasks = db.select({ total: sql<number>`coalesce(sum(${taskCounts.total}), 0)` }).from(taskCounts)
    .where(and(
      sql`(${placeholder('status')} IS NULL OR ${taskCounts.status} = ${placeholder('status')})`,
      sql`(${placeholder('priority')} IS NULL OR ${taskCounts.priority} = ${placeholder('priority')})`,
      sql`(${placeholder('includeDeleted')} OR NOT ${taskCounts.deleted})`
    ))
    .prepare()

  const tasksByIds = db.select(TASK_COLUMNS).from(tasks)
    .where(sql`${tasks.id} IN (SELECT value FROM json_each(${placeholder('ids')}))`)
    .prepare()
  // The tasks the trigram index finds for a search term.
  const searchHits = db.select({ id: sql<number>`rowid`.as('candidate_id') })
    .from(sql`tasks_search`)
    .where(sql`tasks_search MATCH ${placeholder('match')}`)
    .as('candidates')
  // The tasks of one project; for a member, only if they are one of its members.
  const projectTasks = db.select({ id: sql<number>`${tasks.id}`.as('candidate_id') }).from(tasks)
    .where(eq(tasks.projectId, placeholder('projectId')))
    .as('candidates')
  const memberProjectTasks = db.select({ id: sql<number>`${tasks.id}`.as('candidate_id') }).from(projectMembers)
    .crossJoin(tasks)
    .where(and(
      eq(projectMembers.userId, placeholder('viewer')),
      eq(projectMembers.projectId, placeholder('projectId')),
      eq(tasks.projectId, projectMembers.projectId)
    ))
    .as('candidates')
  // Every task a member can see: their own outside projects, and their projects' tasks.
  const memberTasks = db.select({ id: sql<number>`${tasks.id}`.as('candidate_id') }).from(tasks)
    .where(and(isNull(tasks.projectId), eq(tasks.createdBy, placeholder('viewer'))))
    .unionAll(db.select({ id: sql<number>`${tasks.id}`.as('candidate_id') }).from(projectMembers)
      .crossJoin(tasks)
      .where(and(eq(projectMembers.userId, placeholder('viewer')), eq(tasks.projectId, projectMembers.projectId))))
    .as('candidates')

  /** The reader of one list shape: prepared once, run inside a read transaction. */
  const prepareReader = (shape: ListShape): (values: ListValues) => TaskPage => {
    const where = listFilter(shape)
    const candidates = candidatesOf(shape)

    if (candidates !== undefined) {
      // Cursor paging starts just after the last task of the previous page, in sort order.
      const pageWhere = shape.after ? and(where, afterPosition(shape, 'after')) : where
      // Start from the candidates and read each once (CROSS JOIN fixes that
      // order, so SQLite never walks a whole sort index looking for them):
      // the tasks the trigram index finds, or those the viewer can see. The
      // page's ids come with the count of all matches (a window over the
      // sorted ids), and only the page's rows are read whole. The cost follows
      // the number of candidates, never the size of the table, and the
      // matches never leave SQLite.
      const matching = db.select({ id: tasks.id, total: sql<number>`count(*) OVER ()` })
        .from(candidates).crossJoin(tasks)
        .where(and(eq(tasks.id, candidates.id), pageWhere))
        .orderBy(...sortOrder(shape))
        .limit(placeholder('limit'))
        .offset(placeholder('offset'))
        .prepare()
      const countMatching = db.select({ total: sql<number>`count(*)` })
        .from(candidates).crossJoin(tasks)
        .where(and(eq(tasks.id, candidates.id), where))
        .prepare()
      return (values) => {
        const page = matching.values(values) as Array<[number, number]>
        // After a cursor the window counts only the rest; an empty page has no row to carry the total.
        const windowTotal = shape.after ? undefined : page[0]?.[1]
        const total = windowTotal ?? (countMatching.values(values) as Array<[number]>)[0]?.[0] as number
        const pageIds = page.slice(0, values.limit - 1).map(([id]) => id)
        const rows = new Map(tasksByIds.values({ ids: JSON.stringify(pageIds) }).map((row) => [row[0], recordFrom(row)]))
        return { items: pageIds.map((id) => toTask(rows.get(id) as TaskRecord)), total, hasMore: page.length === values.limit }
      }
    }

    const pageRows = shape.after ? prepareRowsAfter(shape, where) : prepareRows(where, shape)
    // Without a search or a time filter the counters give the total; a short
    // search term, which the trigram index cannot help with, counts by reading
    // every row, and updated_since or a due time the rows in its range.
    const count = shape.search === 'none' && !shape.updatedSince && !shape.dueBefore && !shape.dueAfter && shape.overdue === null
      ? countTasks
      : db.select({ total: sql<number>`count(*)` }).from(tasks).where(listFilter(shape, true)).prepare()
    return (values) => {
      const [[total] = [0]] = count.values(values) as Array<[number]>
      // When nothing matches (a short search term no task holds), the page
      // would read every row a second time to find nothing: it is skipped.
      const rows = total === 0 ? [] : pageRows(values)
      const items = rows.slice(0, values.limit - 1).map((row) => toTask(recordFrom(row)))
      return { items, total, hasMore: rows.length === values.limit }
    }
  }
  /**
   * Where a list shape starts: the trigram index's candidates for a search of
   * 3 or more characters, else the tasks of a project or those a member can
   * see; undefined when an administrator's list walks a sort index of the
   * whole table.
   */
  const candidatesOf = (shape: ListShape) => {
    if (shape.search === 'indexed') return searchHits
    if (shape.project) return shape.viewer === 'member' ? memberProjectTasks : projectTasks
    return shape.viewer === 'member' ? memberTasks : undefined
  }
  /** A page in the shape's order (or the order given) from an offset. */
  const prepareRows = (where: SQL | undefined, shape: ListShape, order: readonly SQL[] = sortOrder(shape)) => {
    const rows = db.select(TASK_COLUMNS).from(tasks).where(where).orderBy(...order)
      .limit(placeholder('limit'))
      .offset(placeholder('offset'))
      .prepare()
    return (values: ListValues) => rows.values(values)
  }
  /**
   * A page in the shape's order after a position, read as two index ranges:
   * the rest of the tasks that share the position's sort value, then the
   * tasks past it. (A row-value comparison would seek on the sort value alone
   * and then walk every task sharing it, hundreds of thousands for a priority.)
   * The first range shares one sort value, so it is ordered by id alone:
   * SQLite takes a column fixed by `=` as constant in an ORDER BY, but not a
   * due time's key, and would sort every task that shares it.
   */
  const prepareRowsAfter = (shape: ListShape, where: SQL | undefined) => {
    const sameValue = prepareRows(and(where, afterPosition(shape, 'same value')), shape, [(shape.sortOrder === 'asc' ? asc : desc)(tasks.id)])
    const pastValue = prepareRows(and(where, afterPosition(shape, 'past value')), shape)
    return (values: ListValues) => {
      const first = sameValue(values)
      return first.length === values.limit ? first : [...first, ...pastValue({ ...values, limit: values.limit - first.length })]
    }
  }
  const readers = new Map<string, ReturnType<typeof prepareReader>>()
  const readerFor = (shape: ListShape) => {
    const key = JSON.stringify(shape)
    let reader = readers.get(key)
    if (reader === undefined) {
      reader = prepareReader(shape)
      readers.set(key, reader)
    }
    return reader
  }

  /** The project a write or a filter names, if the viewer can see it: its id, current slug and the viewer's access. */
  const projectNamed = (viewer: Viewer, slug: string) => {
    const values = { ...viewing(viewer), slug }
    const project = projectBySlug.get(values) ?? projectByOldSlug.get(values)
    return project === undefined || project.access === NONE ? undefined : project
  }
  /** The project a task is to be put in: null for none, or one the viewer may write to. */
  const targetProject = (viewer: Viewer, slug: string | null): { id: number, slug: string } | null | TaskProjectRefusal => {
    if (slug === null) return null
    const project = projectNamed(viewer, slug)
    if (project === undefined) return 'project-not-found'
    return project.access === WRITE ? project : 'project-forbidden'
  }

  // One read transaction, so the project, the page and the total see the same rows.
  const readPage = db.$client.transaction((viewer: Viewer, query: TaskListQuery, after: ListPosition | undefined) => {
    const project = query.project === undefined ? undefined : projectNamed(viewer, query.project)
    if (query.project !== undefined && project === undefined) return 'project-not-found'
    const shape = listShape(viewer, query, after)
    return readerFor(shape)({
      ...viewing(viewer),
      projectId: project?.id ?? null,
      status: query.status ?? null,
      priority: query.priority ?? null,
      includeDeleted: query.include_deleted ? 1 : 0,
      pattern: shape.search === 'none' ? null : likePattern(query.q as string),
      match: shape.search === 'indexed' ? searchMatchExpression(query.q as string) : null,
      updatedSince: query.updated_since === undefined ? null : timestampOf(query.updated_since),
      dueBefore: query.due_before === undefined ? null : timestampOf(query.due_before),
      dueAfter: query.due_after === undefined ? null : timestampOf(query.due_after),
      now: Date.now(),
      afterValue: after?.value ?? null,
      afterId: after?.id ?? null,
      // One more than the page, to tell whether another page follows.
      limit: query.limit + 1,
      offset: after === undefined ? query.offset : 0
    })
  })

  /** The task a write answers with, its idempotent response stored first when there is one. */
  const answer = (record: TaskRecord, respond: WriteOptions['respond']): Task => {
    const task = toTask(record)
    if (respond !== undefined) saveResponse(respond(task))
    return task
  }

  const writeRecording = recordingWrites(write, outbox)
  const rememberedPage = createListPageCache(db.$client)

  /**
   * Runs a change to one task: if the viewer sees it, may change it, and
   * `plan` accepts, and if its precondition holds; the change, its stored
   * response and the jobs it causes are one transaction. A plan that changes
   * nothing answers the current record.
   */
  const change = (
    operation: TaskChange['operation'],
    find: typeof findLive,
    viewer: Viewer,
    id: number,
    { precondition, respond }: WriteOptions,
    plan: (current: AccessedRecord) => (() => TaskRecord) | WriteRefusal
  ): Promise<Task | WriteRefusal> => writeRecording((record) => {
    const [values] = find.values({ ...viewing(viewer), id })
    if (values === undefined) return 'not-found'
    const current = { ...recordFrom(values), access: values[TASK_COLUMN_COUNT] as number }
    if (current.access !== WRITE) return 'forbidden'
    const apply = plan(current)
    if (typeof apply === 'string') return apply
    if (precondition !== undefined && !precondition(current)) return 'precondition-failed'
    const after = apply()
    if (after !== current) record({ operation, before: current, after, actor: viewer })
    return answer(after, respond)
  })
  /** The row a write returned (RETURNING, the table's columns), with the references the API shows. */
  const returned = (rows: unknown[][], projectSlug: string | null, creator: string): TaskRecord =>
    recordFrom([...rows[0] as unknown[], projectSlug, creator])

  return {
    async create (viewer, input, { respond } = {}) {
      return writeRecording((record) => {
        const project = targetProject(viewer, input.project ?? null)
        if (typeof project === 'string') return project
        const rows = insert.values({ ...fieldColumns(withDefaults(input)), projectId: project?.id ?? null, viewer: viewer.userId, now: Date.now() })
        const created = returned(rows, project?.slug ?? null, viewer.username)
        record({ operation: 'create', before: null, after: created, actor: viewer })
        return answer(created, respond)
      })
    },

    async findById (viewer, id) {
      const [values] = findLive.values({ ...viewing(viewer), id })
      return values === undefined ? undefined : toTask(recordFrom(values))
    },

    async list (viewer, query, after) {
      return rememberedPage(viewer, query, after, () => readPage(viewer, query, after))
    },

    async update (viewer, id, changes, options = {}) {
      return change('update', findLive, viewer, id, options, (current) => {
        const project = changes.project === undefined ? undefined : targetProject(viewer, changes.project)
        if (typeof project === 'string') return project
        const next = changedRow(current, changes, project === undefined ? undefined : project?.id ?? null)
        if (!isChanged(current, next)) return () => current
        const projectSlug = project === undefined ? current.projectSlug : project?.slug ?? null
        return () => returned(updateChanged(current, next, { updatedAt: nextUpdatedAt(current), version: current.version + 1 }), projectSlug, current.creator)
      })
    },

    async softDelete (viewer, id, options = {}) {
      return change('delete', findLive, viewer, id, options, (current) => () => {
        const now = nextUpdatedAt(current)
        return returned(setDeletedAt.values({ id, deletedAt: now, updatedAt: now, version: current.version + 1 }), current.projectSlug, current.creator)
      })
    },

    async restore (viewer, id, options = {}) {
      return change('restore', findAny, viewer, id, options, (current) => () => {
        if (current.deletedAt === null) return current
        return returned(setDeletedAt.values({ id, deletedAt: null, updatedAt: nextUpdatedAt(current), version: current.version + 1 }), current.projectSlug, current.creator)
      })
    }
  }
}

/** The placeholders that say who is asking. */
export function viewing (viewer: Viewer): { viewer: number, admin: 0 | 1 } {
  return { viewer: viewer.userId, admin: viewer.admin ? 1 : 0 }
}

/** What decides the SQL of a list: whose tasks, which filters are present, the sort, the kind of search. */
interface ListShape {
  /** An admin's list starts from the whole table; a member's from the tasks they can see. */
  viewer: 'admin' | 'member'
  project: boolean
  status: boolean
  priority: boolean
  includeDeleted: boolean
  sortBy: TaskListQuery['sort_by']
  sortOrder: TaskListQuery['sort_order']
  /** Terms of 3 or more characters narrow the rows through the trigram index first. */
  search: 'none' | 'indexed' | 'scan'
  updatedSince: boolean
  dueBefore: boolean
  dueAfter: boolean
  /** Only the overdue tasks (true), only the others (false), or either (null). */
  overdue: boolean | null
  /** Cursor paging: the page starts after a position in sort order. */
  after: boolean
}

function listShape (viewer: Viewer, query: TaskListQuery, after: ListPosition | undefined): ListShape {
  const q = query.q ?? ''
  return {
    viewer: viewer.admin ? 'admin' : 'member',
    project: query.project !== undefined,
    status: query.status !== undefined,
    priority: query.priority !== undefined,
    includeDeleted: query.include_deleted,
    updatedSince: query.updated_since !== undefined,
    dueBefore: query.due_before !== undefined,
    dueAfter: query.due_after !== undefined,
    overdue: query.overdue ?? null,
    after: after !== undefined,
    sortBy: query.sort_by,
    sortOrder: query.sort_order,
    search: q === '' ? 'none' : [...q].length >= TRIGRAM_LENGTH ? 'indexed' : 'scan'
  }
}

/** The list's filters, as its page statement or its count tests them (`counting`, see dueConditions). */
function listFilter (shape: ListShape, counting = false): SQL | undefined {
  const conditions: Array<SQL | undefined> = []
  // Where the candidates are not already what the member can see (a search's).
  if (shape.viewer === 'member' && shape.search === 'indexed') conditions.push(memberSees)
  if (shape.project) conditions.push(eq(tasks.projectId, placeholder('projectId')))
  if (!shape.includeDeleted) conditions.push(isNull(tasks.deletedAt))
  if (shape.status) conditions.push(eq(tasks.status, placeholder('status')))
  // A count of overdue tasks reads the open statuses' ranges of the status,
  // priority and due index; told the priority is not selective (`likely`),
  // SQLite stops preferring the priority's range of another index, whose
  // every row it would then read for its status (220 ms against 7 at 1M).
  if (shape.priority) {
    const priority = eq(tasks.priority, placeholder('priority'))
    conditions.push(counting && shape.overdue !== null ? sql`likely(${priority})` : priority)
  }
  if (shape.updatedSince) conditions.push(gte(tasks.updatedAt, placeholder('updatedSince')))
  conditions.push(...dueConditions(shape, counting))
  if (shape.search !== 'none') {
    // The exact test: a case-insensitive substring of the title or description.
    conditions.push(or(
      sql`${tasks.title} LIKE ${placeholder('pattern')} ESCAPE '\\'`,
      sql`${tasks.description} LIKE ${placeholder('pattern')} ESCAPE '\\'`
    ))
  }
  return and(...conditions)
}

/**
 * The due-time filters, written for the statement that uses them. On an
 * order's key (never null) between the earliest and latest due times, a
 * range is one its due index reads; that is how a list sorted by due time
 * reads its page (the sort index gives just the range, in order), and how a
 * count counts (the index alone, never the rows). A page in another order
 * tests them on the column instead, as it walks that order's index: given a
 * due index to read a range from, SQLite would sort the range, the whole of
 * it when it is broad. Overdue is due before now and still open: a count
 * finds the open statuses in the status and due index, while a page tests
 * them on each row it reads (`+`: never through an index, since for a list
 * of statuses SQLite would read each from a status index and sort them).
 */
function dueConditions (shape: ListShape, counting: boolean): SQL[] {
  const keyed = counting || shape.sortBy === 'due_at'
  const key = dueOrderKey(tasks.dueAt, shape.sortBy === 'due_at' ? shape.sortOrder : 'asc')
  const due = (operator: '<' | '>=', bound: string) => keyed
    ? sql`(${key} BETWEEN ${EARLIEST_DUE_AT} AND ${LATEST_DUE_AT} AND ${key} ${sql.raw(operator)} ${placeholder(bound)})`
    : sql`${tasks.dueAt} ${sql.raw(operator)} ${placeholder(bound)}`
  const conditions: SQL[] = []
  if (shape.dueBefore) conditions.push(due('<', 'dueBefore'))
  if (shape.dueAfter) conditions.push(due('>=', 'dueAfter'))
  if (shape.overdue !== null) {
    // Never null, so that NOT of it holds for the tasks without a due time.
    const pastDue = keyed ? due('<', 'now') : sql`coalesce(${tasks.dueAt} < ${placeholder('now')}, 0)`
    const overdue = sql`(${pastDue} AND ${counting ? tasks.status : sql`+${tasks.status}`} IN ${OPEN_STATUSES})`
    conditions.push(shape.overdue ? overdue : sql`NOT ${overdue}`)
  }
  return conditions
}

/** What a list is sorted on: the column, or for due times the order's key. */
function sortKey (shape: ListShape): SQL | AnySQLiteColumn {
  return shape.sortBy === 'due_at' ? dueOrderKey(tasks.dueAt, shape.sortOrder) : SORT_COLUMNS[shape.sortBy]
}

function sortOrder (shape: ListShape) {
  const direction = shape.sortOrder === 'asc' ? asc : desc
  return [direction(sortKey(shape)), direction(tasks.id)] as const
}

/**
 * The tasks after a position in the shape's sort order: all of them, those
 * that share its sort value (and come after its id), or those past its value.
 */
function afterPosition (shape: ListShape, which: 'after' | 'same value' | 'past value'): SQL {
  const operator = sql.raw(shape.sortOrder === 'asc' ? '>' : '<')
  const column = sortKey(shape)
  if (which === 'same value') return sql`${column} = ${placeholder('afterValue')} AND ${tasks.id} ${operator} ${placeholder('afterId')}`
  if (which === 'past value') return sql`${column} ${operator} ${placeholder('afterValue')}`
  return sql`(${column}, ${tasks.id}) ${operator} (${placeholder('afterValue')}, ${placeholder('afterId')})`
}

/** The placeholders' values of a list's statements. */
type ListValues = {
  viewer: number
  admin: 0 | 1
  projectId: number | null
  status: string | null
  priority: number | null
  includeDeleted: 0 | 1
  pattern: string | null
  match: string | null
  updatedSince: number | null
  dueBefore: number | null
  dueAfter: number | null
  now: number
  afterValue: string | number | null
  afterId: number | null
  limit: number
  offset: number
}

/**
 * A task row read as an array: the table's columns in its order (what
 * RETURNING gives, checked by test/db/sqlite/task-repository.test.ts), then
 * the project's slug and the creator's username (TASK_COLUMNS).
 */
function recordFrom ([
  id, title, description, status, priority, assignee, createdAt, updatedAt, deletedAt, version, projectId, createdBy, notifyEmail,
  dueAt, locationName, locationLatitude, locationLongitude, projectSlug, creator
]: unknown[]): TaskRecord {
  return {
    id, title, description, status, priority, assignee, createdAt, updatedAt, deletedAt, version, projectId, createdBy, notifyEmail,
    dueAt, locationName, locationLatitude, locationLongitude, projectSlug, creator
  } as TaskRecord
}

/** Where the viewer's access follows a task's columns in a row a write reads. */
const TASK_COLUMN_COUNT = Object.keys(TASK_COLUMNS).length
