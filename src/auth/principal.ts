import type { Viewer } from '../db/viewer.js'
import { LOCAL_USER_ID, LOCAL_USERNAME } from '../db/local-user.js'
import { SCOPE_NAMES, type Scope } from '../schemas/token.js'

/**
 * Who a request is from, decided once by the authentication plugin: a user,
 * what they see (as a Viewer of the repositories) and the scopes the request
 * may use.
 */
export interface Principal extends Viewer {
  scopes: ReadonlySet<Scope>
}

/** With AUTH=off, a request without a token: the built-in local administrator, with every scope. */
export const LOCAL_PRINCIPAL: Principal = Object.freeze({
  userId: LOCAL_USER_ID,
  username: LOCAL_USERNAME,
  admin: true,
  scopes: new Set(SCOPE_NAMES)
})
