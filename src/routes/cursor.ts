import { hash } from 'node:crypto'
import { queryParameterProblem } from '../problems/validation-problem.js'

/**
 * A cursor: where the next page starts (the last item's sort position), and
 * a digest of what the list was (its filters, its sort, whose it is), as
 * URL-safe base64 JSON followed by a checksum of that text, so that a cursor
 * altered in transit, or used with another list, is refused instead of
 * silently misread.
 */
export function encodeCursor (position: readonly unknown[], list: unknown): string {
  const payload = Buffer.from(JSON.stringify([...position, listDigest(list)])).toString('base64url')
  return `${payload}.${checksum(payload)}`
}

/** The position a cursor holds, or a 422 problem naming `cursor`. */
export function decodeCursor (cursor: string, list: unknown): unknown[] {
  const [payload = '', sum, ...rest] = cursor.split('.')
  if (sum !== checksum(payload) || rest.length > 0) throw invalidCursor('is not a cursor this API gave out, or was altered')
  const parsed = parsePayload(payload)
  if (parsed.at(-1) !== listDigest(list)) {
    throw invalidCursor('belongs to another list (other filters, another sort, or another user); send the same parameters as the page it came from')
  }
  return parsed.slice(0, -1)
}

/** A 422 problem naming `cursor`. */
export function invalidCursor (detail: string) {
  return queryParameterProblem('cursor', detail)
}

function parsePayload (payload: string): unknown[] {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString())
    if (Array.isArray(parsed)) return parsed
  } catch {}
  throw invalidCursor('is not a cursor this API gave out')
}

function listDigest (list: unknown): string {
  return hash('sha256', JSON.stringify(list), 'base64url').slice(0, 16)
}

function checksum (payload: string): string {
  return hash('sha256', payload, 'base64url').slice(0, 16)
}
