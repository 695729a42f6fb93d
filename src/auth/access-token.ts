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

/** The claims this API put in a token it verified; undefined when they are not of that shape. */
export function readAccessTokenClaims (payload: unknown): { userId: number, scopes: string[], generation: number } | undefined {
  const { sub, scope, gen } = payload as Partial<Record<keyof AccessTokenClaims, unknown>>
  const userId = Number(sub)
  if (typeof sub !== 'string' || !Number.isSafeInteger(userId) || typeof scope !== 'string' || !Number.isSafeInteger(gen)) return undefined
  return { userId, scopes: scope.split(' '), generation: gen as number }
}
