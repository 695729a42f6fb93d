import type { Scope } from '../schemas/token.js'
import type { StoredUser } from './user-repository.js'

export interface StoredPersonalToken {
  id: number
  userId: number
  name: string
  scopes: Scope[]
  credentialsGeneration: number
  /** Milliseconds since the epoch. */
  createdAt: number
  expiresAt: number | null
}

export interface NewPersonalToken {
  userId: number
  name: string
  /** SHA-256 of the token: the token itself is never stored. */
  tokenHash: string
  scopes: Scope[]
  credentialsGeneration: number
  expiresAt: number | null
}

export interface NewRefreshToken {
  userId: number
  /** Every token rotated from one sign-in shares its family. */
  family: string
  tokenHash: string
  scopes: Scope[]
  credentialsGeneration: number
  expiresAt: number
}

/** What a refresh token was exchanged for: the user and the scopes it carried. */
export interface RefreshGrant {
  user: StoredUser
  scopes: Scope[]
}

/** The most personal access tokens one user may hold at once. */
export const MAX_PERSONAL_TOKENS = 100

/**
 * Personal access tokens and refresh tokens, stored as SHA-256 hashes. A
 * token works only while its user is enabled and still at the credentials
 * generation it was issued under.
 */
export interface TokenRepository {
  /** 'limit-reached' when the user already holds MAX_PERSONAL_TOKENS unexpired tokens. */
  createPersonal (token: NewPersonalToken, now: number): Promise<StoredPersonalToken | 'limit-reached'>
  /** The user's tokens that have not expired by `now`, newest first. */
  listPersonal (userId: number, now: number): Promise<StoredPersonalToken[]>
  /** Whether the user had such a token. */
  deletePersonal (userId: number, id: number): Promise<boolean>
  /** The token with this hash and its user, if it is unexpired and its user may still use it. */
  findPersonal (tokenHash: string, now: number): Promise<{ token: StoredPersonalToken, user: StoredUser } | undefined>
  createRefresh (token: NewRefreshToken, now: number): Promise<void>
  /**
   * Exchanges a refresh token, once, for its replacement: same family, same
   * scopes. A token already exchanged revokes its whole family ('reused'); an
   * expired or revoked one, or one whose user was disabled or changed
   * password since, is 'invalid'; asking for a scope the token does not
   * carry is 'invalid-scope', and the token stays usable.
   */
  exchangeRefresh (
    tokenHash: string,
    replacement: { tokenHash: string, expiresAt: number },
    requestedScopes: Scope[],
    now: number
  ): Promise<RefreshGrant | 'invalid' | 'reused' | 'invalid-scope'>
  /** Forgets refresh tokens and personal tokens expired by `now`; answers how many. */
  purgeExpired (now: number): Promise<number>
}
