import type { User, UserRole } from '../schemas/user.js'
import type { Page, PageRequest } from './page.js'

/** A user as stored: what the API shows, and what only the server may know. */
export interface StoredUser extends User {
  id: number
  /** An Argon2id hash; null for a user who cannot sign in. */
  passwordHash: string | null
  /** Tokens issued under another generation no longer work. */
  credentialsGeneration: number
}

export interface NewUser {
  username: string
  email: string | null
  displayName: string
  role: UserRole
  passwordHash: string
}

export interface UserChanges {
  email?: string | undefined
  displayName?: string | undefined
  /** A new password's hash: moves the credentials generation, so every token of the user stops working. */
  passwordHash?: string | undefined
}

export interface UserAdminChanges {
  role?: UserRole | undefined
  /** Disabling moves the credentials generation too. */
  disabled?: boolean | undefined
}

/** Why a change to a user did not happen. */
export type UserRefusal = 'not-found' | 'username-taken' | 'email-taken' | 'last-admin' | 'built-in'

/** Users. Usernames are stored lowercase; emails are unique without regard to case. Users are never deleted. */
export interface UserRepository {
  create (user: NewUser): Promise<StoredUser | Extract<UserRefusal, 'username-taken' | 'email-taken'>>
  findById (id: number): Promise<StoredUser | undefined>
  /** `username` in any case. */
  findByUsername (username: string): Promise<StoredUser | undefined>
  update (id: number, changes: UserChanges): Promise<StoredUser | Extract<UserRefusal, 'not-found' | 'email-taken'>>
  /**
   * An administrator's change. The last enabled administrator cannot be
   * demoted or disabled ('last-admin'), nor can the built-in local user.
   */
  adminUpdate (username: string, changes: UserAdminChanges): Promise<StoredUser | Extract<UserRefusal, 'not-found' | 'last-admin' | 'built-in'>>
  /** Every user, by username. */
  list (page: PageRequest): Promise<Page<StoredUser>>
  /** How many users can sign in (have a password). */
  countWithPassword (): Promise<number>
}

/** What the API shows of a user: never the password hash nor the internal id. */
export function shownUser ({ username, email, display_name: displayName, role, disabled, created_at: createdAt, updated_at: updatedAt }: StoredUser): User {
  return { username, email, display_name: displayName, role, disabled, created_at: createdAt, updated_at: updatedAt }
}
