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
    role: row.role,
    disabled: row.disabled,
    created_at: isoTimestamp(row.createdAt),
    updated_at: isoTimestamp(row.updatedAt),
    passwordHash: row.passwordHash,
    credentialsGeneration: row.credentialsGeneration
  }
}
