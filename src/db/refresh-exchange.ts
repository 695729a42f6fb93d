import type { Scope } from '../schemas/token.js'
import { holder } from './stored-token.js'
import type { UserRow } from './stored-user.js'
import type { RefreshGrant } from './token-repository.js'

/** A row of the refresh_tokens table as either database's schema reads it; scopes are space-separated. */
export interface RefreshTokenRow {
  id: number
  userId: number
  family: string
  tokenHash: string
  scopes: string
  credentialsGeneration: number
  createdAt: number
  expiresAt: number
  usedAt: number | null
  revokedAt: number | null
}

/**
 * What exchanging a refresh token comes to, from its row and its user's, read
 * in the exchange's transaction: the grant, when it may be exchanged (the
 * token is then to be marked used and replaced); 'reused', when it was
 * exchanged before (its family is then to be revoked); or a refusal that
 * changes nothing. See TokenRepository.exchangeRefresh.
 */
export function exchangeVerdict (
  token: RefreshTokenRow,
  user: UserRow,
  requestedScopes: Scope[],
  now: number
): RefreshGrant | 'invalid' | 'reused' | 'invalid-scope' {
  const grantee = holder(user, token.credentialsGeneration)
  if (grantee === undefined || token.revokedAt !== null || token.expiresAt <= now) return 'invalid'
  if (token.usedAt !== null) return 'reused'
  const scopes = token.scopes.split(' ') as Scope[]
  if (!requestedScopes.every((scope) => scopes.includes(scope))) return 'invalid-scope'
  return { user: grantee, scopes }
}

/** The token that replaces `token` on its exchange: of the same user, family, scopes and credentials generation. */
export function replacementOf (token: RefreshTokenRow, replacement: { tokenHash: string, expiresAt: number }, now: number): Omit<RefreshTokenRow, 'id' | 'usedAt' | 'revokedAt'> {
  return {
    userId: token.userId,
    family: token.family,
    tokenHash: replacement.tokenHash,
    scopes: token.scopes,
    credentialsGeneration: token.credentialsGeneration,
    createdAt: now,
    expiresAt: replacement.expiresAt
  }
}
