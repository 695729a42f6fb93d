import type { ProblemFieldError } from '../schemas/problem.js'
import { ProblemError } from './problem-error.js'
import type { ProblemKind } from './problem-types.js'

/** The error codes of RFC 6749 section 5.2 that the token endpoint answers with. */
export type OAuthErrorCode = 'invalid_request' | 'invalid_grant' | 'unsupported_grant_type' | 'invalid_scope'

const KINDS: Record<OAuthErrorCode, ProblemKind> = {
  invalid_request: 'invalid-request',
  invalid_grant: 'invalid-grant',
  unsupported_grant_type: 'unsupported-grant-type',
  invalid_scope: 'invalid-scope'
}

/**
 * An error of the token endpoint: sent as RFC 6749 requires (`error` and
 * `error_description`, as application/json, never cached), with the problem
 * details fields every other error has beside them.
 */
export class OAuthError extends ProblemError {
  override name = 'OAuthError'

  constructor (readonly code: OAuthErrorCode, detail: string, errors?: ProblemFieldError[]) {
    super(KINDS[code], detail, errors)
  }
}
