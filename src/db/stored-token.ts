import type { Scope } from '../schemas/token.js'
import { storedUser, type UserRow } from './stored-user.js'
import type { StoredPersonalToken } from './token-repository.js'
import type { StoredUser } from './user-repository.js'

/** A row of the personal_tokens table as either database's schema reads it; scopes are space-separated. */
export interface PersonalTokenRow {
  id: number
  userId: number
  name: string
  scopes: string
  credentialsGeneration: number
  createdAt: number
  expiresAt: number | null
}

/** A personal token row as the repositories answer it. */
export function storedPersonalToken (row: PersonalTokenRow): StoredPersonalToken {
  return {
    id: row.id,
    userId: row.userId,
    name: row.name,
    scopes: row.scopes.split(' ') as Scope[],
    credentialsGeneration: row.credentialsGeneration,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt
  }
}

/** The user, when they may still use a token issued under `generation`: enabled, and without a password change since. */
export function holder (row: UserRow, generation: number): StoredUser | undefined {
  return !row.disabled && row.credentialsGeneration === generation ? storedUser(row) : undefined
}
