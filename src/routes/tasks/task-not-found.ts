import { ProblemError } from '../../problems/problem-error.js'

/** The problem for a task id that does not exist or was soft-deleted. */
export function taskNotFound (id: number): ProblemError {
  return new ProblemError('not-found', `Task ${id} was not found.`)
}
