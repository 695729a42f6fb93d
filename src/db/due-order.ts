import { sql, type Column, type SQL } from 'drizzle-orm'
import type { TaskListQuery } from '../schemas/task.js'
import { timestampOf } from './iso-timestamp.js'

/** The earliest and latest due times the API can show: years 0000 to 9999, UTC. */
export const EARLIEST_DUE_AT = -62_167_219_200_000
export const LATEST_DUE_AT = 253_402_300_799_999

/**
 * Whether a due time the schema's date-time format let through is one the
 * API can keep and show back: not one with an offset without minutes
 * (`+02`), which no clock reading comes from, nor one whose UTC time falls
 * outside the years 0000-9999 (`9999-12-31T23:00:00-05:00`).
 */
export function isKeepableDueAt (dueAt: string): boolean {
  const time = timestampOf(dueAt)
  return time >= EARLIEST_DUE_AT && time <= LATEST_DUE_AT
}

/**
 * Tasks without a due time come last in either order, so each order sorts on
 * its own key: the due time, or for none a value past every due time in that
 * direction. Each key has its own index (an index on the expression), and a
 * cursor carries the key, so a page after the last dated task goes on into
 * the undated ones.
 */
const NO_DUE_AT = { asc: Number.MAX_SAFE_INTEGER, desc: -Number.MAX_SAFE_INTEGER } as const

/** The sort key of a due time in one order. */
export function dueOrderValue (dueAt: number | null, order: TaskListQuery['sort_order']): number {
  return dueAt ?? NO_DUE_AT[order]
}

/** The same key in SQL, written exactly as the indexes on it are (literals, no placeholders). */
export function dueOrderKey (dueAt: Column, order: TaskListQuery['sort_order']): SQL<number> {
  return sql<number>`coalesce(${dueAt}, ${sql.raw(String(NO_DUE_AT[order]))})`
}
