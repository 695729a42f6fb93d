import type { User, UserRole } from '../schemas/user.js'
import type { Page, PageRequest } from './page.js'

/** A user as stored: what the API shows, and what only the server may know. */
export interface StoredUser extends User {
  id: number
  /** An Argon2id hash; null for a user who cannot sign in. */
  passwordHash: string | null
  /** Tokens issued under another generation no longer work. */
  credentialsGeneration: number
  /** The SHA-256 of the user's picture in the blob store, and its media type; null without one. */
  avatarSha256: string | null
  avatarType: string | null
  /** Web page sessions begun under another generation no longer work. */
  sessionGeneration: number
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
  /** null removes it: unlike the others, a bio may be taken away. */
  bio?: string | null | undefined
}

/** A picture just stored in the blob store, to be a user's avatar. */
export interface NewAvatar {
  sha256: string
  contentType: string
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
  /**
   * Gives the user this picture, or none (null), in one write, and answers
   * them after it with the SHA-256 of the picture it replaced (null if none):
   * the caller removes that blob unless something else still refers to it.
   */
  setAvatar (id: number, avatar: NewAvatar | null): Promise<{ user: StoredUser, previous: string | null } | Extract<UserRefusal, 'not-found'>>
  /**
   * Which of these hashes are some user's avatar: the blob store's sweep
   * removes the others' blobs (with `attachments.referenced`), up to 500 at a time.
   */
  referencedAvatars (sha256s: readonly string[]): Promise<Set<string>>
  /** Ends every web page session of the user (the session generation moves on); tokens are not touched. */
  endSessions (id: number): Promise<void>
}

/** What the API shows of a user: never the password hash nor the internal id. */
export function shownUser ({ username, email, display_name: displayName, bio, avatar_url: avatarUrl, role, disabled, created_at: createdAt, updated_at: updatedAt }: StoredUser): User {
  return { username, email, display_name: displayName, bio, avatar_url: avatarUrl, role, disabled, created_at: createdAt, updated_at: updatedAt }
}
