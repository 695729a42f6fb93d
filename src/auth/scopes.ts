import { SCOPE_NAMES, SCOPES, type Scope } from '../schemas/token.js'
import type { UserRole } from '../schemas/user.js'

// Only administrators may hold the scope that manages users.
const ADMIN_ONLY: ReadonlySet<Scope> = new Set(['users:admin'])

/** Every scope a user of this role may have. */
export function scopesOfRole (role: UserRole): Scope[] {
  return role === 'admin' ? SCOPE_NAMES : SCOPE_NAMES.filter((scope) => !ADMIN_ONLY.has(scope))
}

/** The scopes asked for that are also among those allowed, in the order of SCOPES. */
export function grantedScopes (asked: readonly Scope[], allowed: readonly Scope[]): Scope[] {
  return SCOPE_NAMES.filter((scope) => asked.includes(scope) && allowed.includes(scope))
}

/**
 * The scopes of an OAuth `scope` parameter (space-separated, RFC 6749 3.3),
 * or the names this API does not know.
 */
export function parseScopeParameter (text: string): { scopes: Scope[] } | { unknown: string[] } {
  const names = [...new Set(text.split(' ').filter((name) => name !== ''))]
  const unknown = names.filter((name) => !Object.hasOwn(SCOPES, name))
  return unknown.length > 0 ? { unknown } : { scopes: names as Scope[] }
}
