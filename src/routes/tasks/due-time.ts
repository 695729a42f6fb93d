import { isKeepableDueAt } from '../../db/due-order.js'
import { bodyFieldProblem } from '../../problems/validation-problem.js'
import type { TaskUpdate } from '../../schemas/task.js'

/**
 * Refuses, as a 422 naming the field (`field`, a path in the body), a due
 * time the date-time format lets through but the API could not keep
 * (src/db/due-order.ts).
 */
export function refuseUnreadableDueAt ({ due_at: dueAt }: TaskUpdate, field = 'due_at'): void {
  if (dueAt !== undefined && dueAt !== null && !isKeepableDueAt(dueAt)) {
    throw bodyFieldProblem(field, 'is not a due time this API can keep; write it as 2026-12-24T17:00:00Z or with a ±hh:mm offset, between the years 0000 and 9999 in UTC')
  }
}
