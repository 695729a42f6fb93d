import type { ProblemFieldError } from '../schemas/problem.js'
import { PROBLEM_TYPES, type ProblemKind } from './problem-types.js'

/**
 * An error that the API reports to the client as it is: the error handler
 * turns it into a problem details body of its kind.
 */
export class ProblemError extends Error {
  override name = 'ProblemError'
  readonly statusCode: number

  constructor (
    readonly kind: ProblemKind,
    readonly detail: string,
    readonly errors?: ProblemFieldError[],
    /** Sent as Retry-After: when the client may try again, in seconds. */
    readonly retryAfterSeconds?: number
  ) {
    super(detail)
    this.statusCode = PROBLEM_TYPES[kind].status
  }
}
