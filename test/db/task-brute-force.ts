import type { ListPosition, TaskPage } from '../../src/db/database.js'
import { dueOrderValue } from '../../src/db/due-order.js'
import { SORT_ORDERS, TASK_SORT_FIELDS, TASK_STATUSES, type Task, type TaskListQuery, type TaskStatus } from '../../src/schemas/task.js'

// Brute force: what a list must return, computed in JS from every row.

/** A row of the tasks table as stored, read with better-sqlite3 directly. */
export interface StoredRow {
  id: number
  title: string
  description: string | null
  status: TaskStatus
  priority: number
  assignee: string | null
  created_at: number
  updated_at: number
  deleted_at: number | null
  version: number
  project_id: number | null
  created_by: number
  notify_email: string | null
  due_at: number | null
  location_name: string | null
  location_latitude: number | null
  location_longitude: number | null
}

/** What a task shows of its references: its project's slug and its creator's username. */
export interface References {
  projectSlug: (id: number) => string
  username: (id: number) => string
}

// The tasks of most tests are the built-in local user's, outside any project.
const LOCAL_REFERENCES: References = {
  projectSlug: (id) => { throw new Error(`no project ${id} was expected`) },
  username: () => 'local'
}

/** The task the API must show for a stored row, made with Date rather than the code under test. */
export function taskOf (row: StoredRow, references: References = LOCAL_REFERENCES): Task {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    status: row.status,
    priority: row.priority,
    assignee: row.assignee,
    notify_email: row.notify_email,
    project: row.project_id === null ? null : references.projectSlug(row.project_id),
    due_at: row.due_at === null ? null : new Date(row.due_at).toISOString(),
    location: row.location_latitude === null
      ? null
      : { name: row.location_name, latitude: row.location_latitude, longitude: row.location_longitude as number },
    created_by: references.username(row.created_by),
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
    deleted_at: row.deleted_at === null ? null : new Date(row.deleted_at).toISOString(),
    version: row.version
  }
}

/** Lowercases A-Z only, as SQLite's LIKE folds case. */
const asciiLower = (text: string) => text.replace(/[A-Z]/g, (letter) => letter.toLowerCase())

export function contains (text: string | null, q: string): boolean {
  return text !== null && asciiLower(text).includes(asciiLower(q))
}

/** SQLite orders text by its UTF-8 bytes (BINARY), which JS's `<` does not for every character. */
function compareText (a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
}

/**
 * Whether a row is overdue: due before now and still pending or in progress.
 * The tests' due times lie years from now, so which instant `now` is
 * (the repository takes its own) never changes the answer.
 */
function isOverdue (row: StoredRow): boolean {
  return row.due_at !== null && row.due_at < Date.now() && (row.status === 'pending' || row.status === 'in_progress')
}

/** Whether a row passes the due-time filters; a row without a due time is never in a range. */
function dueMatches (row: StoredRow, query: TaskListQuery): boolean {
  return (query.due_before === undefined || (row.due_at !== null && row.due_at < Date.parse(query.due_before))) &&
    (query.due_after === undefined || (row.due_at !== null && row.due_at >= Date.parse(query.due_after))) &&
    (query.overdue === undefined || isOverdue(row) === query.overdue)
}

/** The ids a list must show, in order, of `rows` (those the viewer may see); `projectId` is the id of `query.project`. */
export function expectedIds (rows: StoredRow[], query: TaskListQuery, projectId?: number): number[] {
  const q = query.q ?? ''
  const matching = rows.filter((row) =>
    (query.include_deleted || row.deleted_at === null) &&
    (query.project === undefined || row.project_id === projectId) &&
    (query.status === undefined || row.status === query.status) &&
    (query.priority === undefined || row.priority === query.priority) &&
    (q === '' || contains(row.title, q) || contains(row.description, q)) &&
    dueMatches(row, query))
  const direction = query.sort_order === 'asc' ? 1 : -1
  if (query.sort_by === 'due_at') {
    // Tasks without a due time last, whichever the direction; ties by id in it.
    return matching.sort((a, b) => a.due_at === null || b.due_at === null
      ? Number(a.due_at === null) - Number(b.due_at === null) || direction * (a.id - b.id)
      : direction * (a.due_at - b.due_at || a.id - b.id)).map((row) => row.id)
  }
  const key = (a: StoredRow, b: StoredRow) =>
    query.sort_by === 'title'
      ? compareText(a.title, b.title)
      : query.sort_by === 'priority' ? a.priority - b.priority : a.created_at - b.created_at
  return matching.sort((a, b) => direction * (key(a, b) || a.id - b.id)).map((row) => row.id)
}

export function listQuery (fields: Partial<TaskListQuery> = {}): TaskListQuery {
  return { limit: 20, offset: 0, sort_by: 'created_at', sort_order: 'desc', include_deleted: false, ...fields }
}

/** Every filter combination: no status or each, no priority or each, with and without deleted tasks. */
export function * filterCombinations (): Generator<Partial<TaskListQuery>> {
  for (const status of [undefined, ...TASK_STATUSES]) {
    for (const priority of [undefined, 1, 2, 3, 4, 5]) {
      for (const includeDeleted of [false, true]) {
        yield { ...(status === undefined ? {} : { status }), ...(priority === undefined ? {} : { priority }), include_deleted: includeDeleted }
      }
    }
  }
}

/**
 * The due-time filters, alone and together, around `bounds` (ascending RFC
 * 3339 times, best some of them tasks' due times, so that a bound meets a
 * task exactly): none, each bound before and after, each range between
 * neighbouring bounds, an empty range, overdue or not, alone and in a range.
 */
export function * dueFilterCombinations (bounds: readonly string[]): Generator<Partial<TaskListQuery>> {
  yield {}
  for (const bound of bounds) {
    yield { due_before: bound }
    yield { due_after: bound }
  }
  for (let index = 1; index < bounds.length; index++) yield { due_after: bounds[index - 1], due_before: bounds[index] }
  const middle = bounds[Math.floor(bounds.length / 2)] as string
  yield { due_after: middle, due_before: middle }
  yield { overdue: true }
  yield { overdue: false }
  yield { overdue: true, due_after: bounds[0] }
  yield { overdue: false, due_before: middle }
}

export function * sorts (): Generator<Pick<TaskListQuery, 'sort_by' | 'sort_order'>> {
  for (const sortBy of TASK_SORT_FIELDS) for (const sortOrder of SORT_ORDERS) yield { sort_by: sortBy, sort_order: sortOrder }
}

/** The cursor position just after `task` in the query's sort order: by due time, the order's key (src/db/due-order.ts). */
export function positionOf (query: TaskListQuery, task: Task): ListPosition {
  switch (query.sort_by) {
    case 'created_at': return { value: Date.parse(task.created_at), id: task.id }
    case 'due_at': return { value: dueOrderValue(task.due_at === null ? null : Date.parse(task.due_at), query.sort_order), id: task.id }
    default: return { value: task[query.sort_by], id: task.id }
  }
}

/** Where lists come from, for the brute force: a repository as one viewer sees it. */
export type ListOf = (query: TaskListQuery, after?: ListPosition) => Promise<TaskPage>

/**
 * Pages through a list `limit` tasks at a time and returns what differs from
 * the brute force over `rows` (the rows the viewer may see): the items of
 * every page (whole tasks, so the mapping of each column is checked too) and
 * the total on every page, including a page past the end; then the same by
 * cursor.
 */
export async function listDifferences (
  list: ListOf,
  rows: StoredRow[],
  query: TaskListQuery,
  { projectId, references }: { projectId?: number, references?: References } = {}
): Promise<string[]> {
  const expected = expectedIds(rows, query, projectId)
  const byId = new Map(rows.map((row) => [row.id, row]))
  const differences: string[] = []
  const label = JSON.stringify(query)
  for (let offset = 0; offset <= expected.length; offset += query.limit) {
    const page = await list({ ...query, offset })
    const wanted = expected.slice(offset, offset + query.limit).map((id) => taskOf(byId.get(id) as StoredRow, references))
    if (page.total !== expected.length) differences.push(`${label} offset ${offset}: total ${page.total}, expected ${expected.length}`)
    if (JSON.stringify(page.items) !== JSON.stringify(wanted)) {
      differences.push(`${label} offset ${offset}: ids ${JSON.stringify(page.items.map((task) => task.id))}, expected ${JSON.stringify(wanted.map((task) => task.id))}`)
    }
    if (page.hasMore !== offset + query.limit < expected.length) differences.push(`${label} offset ${offset}: hasMore ${page.hasMore}`)
  }
  // The same pages again, each starting after the last task of the one before.
  const seen: number[] = []
  let after: ListPosition | undefined
  for (let pages = 0; pages <= expected.length / query.limit; pages++) {
    const page = await list(query, after)
    seen.push(...page.items.map((task) => task.id))
    if (page.total !== expected.length) differences.push(`${label} after ${JSON.stringify(after)}: total ${page.total}, expected ${expected.length}`)
    if (!page.hasMore) break
    after = positionOf(query, page.items.at(-1) as Task)
  }
  if (JSON.stringify(seen) !== JSON.stringify(expected)) differences.push(`${label} by cursor: ids ${JSON.stringify(seen)}, expected ${JSON.stringify(expected)}`)
  return differences
}
