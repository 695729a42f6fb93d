import type { UserRole } from '../schemas/user.js'
import { isoTimestamp } from './iso-timestamp.js'
import type { StoredUser } from './user-repository.js'

/** A row of the users table as either database's schema reads it. */
export interface UserRow {
  id: number
  username: string
  email: string | null
  displayName: string
  role: UserRole
  disabled: boolean
  passwordHash: string | null
  credentialsGeneration: number
  bio: string | null
  /** The SHA-256 of the user's picture in the blob store, and its media type; null without one. */
  avatarSha256: string | null
  avatarType: string | null
  sessionGeneration: number
  /** Milliseconds since the epoch. */
  createdAt: number
  updatedAt: number
}

/** A user row as the repositories answer it. */
export function storedUser (row: UserRow): StoredUser {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    display_name: row.displayName,
    bio: row.bio,
    avatar_url: row.avatarSha256 === null ? null : avatarUrl(row.username, row.avatarSha256),
    role: row.role,
    disabled: row.disabled,
    created_at: isoTimestamp(row.createdAt),
    updated_at: isoTimestamp(row.updatedAt),
    passwordHash: row.passwordHash,
    credentialsGeneration: row.credentialsGeneration,
    avatarSha256: row.avatarSha256,
    avatarType: row.avatarType,
    sessionGeneration: row.sessionGeneration
  }
}

/**
 * Where a user's picture is: the URL names the picture's content, so a new
 * picture is a new URL and a client may keep what it fetched for long.
 */
export function avatarUrl (username: string, sha256: string): string {
  return `/users/${username}/avatar?v=${sha256.slice(0, 16)}`
}
