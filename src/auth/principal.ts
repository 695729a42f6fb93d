import type { StoredUser } from '../db/user-repository.js'
import type { Viewer } from '../db/viewer.js'
import { LOCAL_USER_ID, LOCAL_USERNAME } from '../db/local-user.js'
import { SCOPE_NAMES, type Scope } from '../schemas/token.js'
import { grantedScopes, scopesOfRole } from './scopes.js'

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

/** The user as a principal, with the scopes asked for that the user's role still allows. */
export function userPrincipal (user: StoredUser, scopes: readonly Scope[]): Principal {
  return {
    userId: user.id,
    username: user.username,
    admin: user.role === 'admin',
    scopes: new Set(grantedScopes(scopes, scopesOfRole(user.role)))
  }
}
