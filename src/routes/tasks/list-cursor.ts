import { hash } from 'node:crypto'
import type { ListPosition } from '../../db/database.js'
import { queryParameterProblem } from '../../problems/validation-problem.js'
import type { Task, TaskListQuery } from '../../schemas/task.js'

// The list parameters a cursor belongs to: with any other, its position means nothing.
const BOUND_PARAMETERS = ['status', 'priority', 'include_deleted', 'q', 'updated_since', 'sort_by', 'sort_order'] as const

/**
 * A cursor: the sort value and id of the last task of a page, and a digest of
 * the list parameters it came from, as URL-safe base64 JSON followed by a
 * checksum of that text, so that a cursor altered in transit, or used with
 * other filters or another sort, is refused instead of silently misread.
 */
export function encodeCursor (query: TaskListQuery, last: Task): string {
  const sortValue = query.sort_by === 'created_at' ? Date.parse(last.created_at) : last[query.sort_by]
  const payload = Buffer.from(JSON.stringify([sortValue, last.id, parametersDigest(query)])).toString('base64url')
  return `${payload}.${checksum(payload)}`
}

/** The position a cursor points at, or a 422 problem naming `cursor`. */
export function decodeCursor (cursor: string, query: TaskListQuery): ListPosition {
  const [payload = '', sum, ...rest] = cursor.split('.')
  if (sum !== checksum(payload) || rest.length > 0) throw invalidCursor('is not a cursor this API gave out, or was altered')
  const [value, id, digest] = parsePayload(payload)
  if (digest !== parametersDigest(query)) {
    throw invalidCursor('belongs to a list with other filters or another sort; send the same parameters as the page it came from')
  }
  const expected = query.sort_by === 'title' ? 'string' : 'number'
  if (typeof value !== expected || !Number.isSafeInteger(id)) throw invalidCursor('is not a cursor this API gave out')
  return { value: value as string | number, id: id as number }
}

function parsePayload (payload: string): unknown[] {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString())
    if (Array.isArray(parsed)) return parsed
  } catch {}
  throw invalidCursor('is not a cursor this API gave out')
}

function parametersDigest (query: TaskListQuery): string {
  return hash('sha256', JSON.stringify(BOUND_PARAMETERS.map((name) => query[name] ?? null)), 'base64url').slice(0, 16)
}

function checksum (payload: string): string {
  return hash('sha256', payload, 'base64url').slice(0, 16)
}

const invalidCursor = (detail: string) => queryParameterProblem('cursor', detail)
