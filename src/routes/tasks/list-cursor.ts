import type { ListPosition } from '../../db/database.js'
import { dueOrderValue } from '../../db/due-order.js'
import type { Viewer } from '../../db/viewer.js'
import type { Task, TaskListQuery } from '../../schemas/task.js'
import { decodeCursor, encodeCursor, invalidCursor } from '../cursor.js'

// The list parameters a cursor belongs to: with any other, its position means nothing.
const BOUND_PARAMETERS = ['status', 'priority', 'project', 'include_deleted', 'q', 'updated_since', 'due_before', 'due_after', 'overdue', 'sort_by', 'sort_order'] as const

/**
 * The cursor after `last`: its sort value and id, bound to the list's
 * parameters and to the viewer (another user sees other tasks).
 */
export function encodeTaskCursor (query: TaskListQuery, viewer: Viewer, last: Task): string {
  return encodeCursor([sortValueOf(query, last), last.id], boundTo(query, viewer))
}

/** Where a task stands in the list's order: its sort column's value, or its due time's key. */
function sortValueOf (query: TaskListQuery, task: Task): string | number {
  switch (query.sort_by) {
    case 'created_at': return Date.parse(task.created_at)
    case 'due_at': return dueOrderValue(task.due_at === null ? null : Date.parse(task.due_at), query.sort_order)
    default: return task[query.sort_by]
  }
}

/** The position a cursor points at, or a 422 problem naming `cursor`. */
export function decodeTaskCursor (cursor: string, query: TaskListQuery, viewer: Viewer): ListPosition {
  const [value, id] = decodeCursor(cursor, boundTo(query, viewer))
  const expected = query.sort_by === 'title' ? 'string' : 'number'
  if (typeof value !== expected || !Number.isSafeInteger(id)) throw invalidCursor('is not a cursor this API gave out')
  return { value: value as string | number, id: id as number }
}

function boundTo (query: TaskListQuery, viewer: Viewer): unknown[] {
  return [...BOUND_PARAMETERS.map((name) => query[name] ?? null), viewer.userId]
}
