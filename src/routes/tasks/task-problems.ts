import type { WriteRefusal } from '../../db/database.js'
import { ProblemError } from '../../problems/problem-error.js'

/** The problem for a task id that does not exist or was soft-deleted. */
export function taskNotFound (id: number): ProblemError {
  return new ProblemError('not-found', `Task ${id} was not found.`)
}

/** The problem for a write to task `id` that the repository refused. */
export function refusalProblem (refusal: WriteRefusal, id: number): ProblemError {
  if (refusal === 'not-found') return taskNotFound(id)
  return new ProblemError('precondition-failed', `Task ${id} has changed: its current ETag matches no tag in If-Match. Read it again, then retry with its new ETag.`)
}
