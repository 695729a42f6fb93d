import { ProblemError } from '../../problems/problem-error.js'

/** The problem for a job id no job has. */
export function jobNotFound (id: number): ProblemError {
  return new ProblemError('not-found', `Job ${id} was not found.`)
}
