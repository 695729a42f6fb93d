import type { Scope } from '../schemas/token.js'

/** Who access tokens are from and for: this API. */
export const TOKEN_ISSUER = 'task-api'

/**
 * The claims of an access token (a JWT signed with HS256): the user's id,
 * the scopes granted, and the credentials generation it was issued under,
 * so that a password change or disabling the user ends it at once. `iat`,
 * `exp`, `iss` and `aud` are added and checked by the JWT library.
 */
export interface AccessTokenClaims {
  sub: string
  scope: string
  gen: number
}

export function accessTokenClaims (userId: number, scopes: readonly Scope[], credentialsGeneration: number): AccessTokenClaims {
  return { sub: String(userId), scope: scopes.join(' '), gen: credentialsGeneration }
}

/** What a verified access token says: whose it is, its scopes and credentials generation, and when it expires (ms since the epoch). */
export interface AccessGrant {
  userId: number
  scopes: Scope[]
  generation: number
  expiresAt: number
}

/** The grant in the claims of a token the JWT library verified; undefined when they are not of this API's shape. */
export function accessGrantOf (payload: unknown): AccessGrant | undefined {
  const { sub, scope, gen, exp } = payload as Partial<Record<keyof AccessTokenClaims | 'exp', unknown>>
  const userId = Number(sub)
  if (typeof sub !== 'string' || !Number.isSafeInteger(userId) || typeof scope !== 'string' || !Number.isSafeInteger(gen)) return undefined
  return { userId, scopes: scope.split(' ') as Scope[], generation: gen as number, expiresAt: (exp as number) * 1000 }
}
