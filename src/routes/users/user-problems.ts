import { ProblemError } from '../../problems/problem-error.js'

/** The problem for a username or email another user already has. */
export function takenProblem (field: 'username' | 'email'): ProblemError {
  return new ProblemError('already-exists', `Another user already has this ${field}.`, [{ pointer: `#/${field}`, detail: 'is taken' }])
}

/** The problem for a username no user has. */
export function userNotFound (username: string): ProblemError {
  return new ProblemError('not-found', `User ${username} was not found.`)
}
