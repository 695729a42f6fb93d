import { EARLIEST_DUE_AT, LATEST_DUE_AT } from '../../db/due-order.js'
import { timestampOf } from '../../db/iso-timestamp.js'
import { bodyFieldProblem } from '../../problems/validation-problem.js'
import type { TaskUpdate } from '../../schemas/task.js'

/**
 * Refuses, as a 422 naming the field (`field`, a path in the body), a due
 * time the date-time format lets through but the API could not show back:
 * one with an offset without minutes (`+02`), or one whose UTC time falls
 * outside the years 0000-9999 (`9999-12-31T23:00:00-05:00`).
 */
export function refuseUnreadableDueAt ({ due_at: dueAt }: TaskUpdate, field = 'due_at'): void {
  if (dueAt === undefined || dueAt === null) return
  const time = timestampOf(dueAt)
  if (!(time >= EARLIEST_DUE_AT && time <= LATEST_DUE_AT)) {
    throw bodyFieldProblem(field, 'is not a due time this API can keep; write it as 2026-12-24T17:00:00Z or with a ±hh:mm offset, between the years 0000 and 9999 in UTC')
  }
}
