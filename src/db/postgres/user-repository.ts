import { and, asc, count, eq, gt, inArray, isNotNull, ne, sql } from 'drizzle-orm'
import { LOCAL_USER_ID } from '../local-user.js'
import { storedUser, type UserRow } from '../stored-user.js'
import type { StoredUser, UserRepository } from '../user-repository.js'
import { takeAdvisoryLock } from './advisory-lock.js'
import { ONE_SNAPSHOT } from './one-snapshot.js'
import type { PostgresConnection, PostgresTransaction } from './postgres-database.js'
import { users } from './schema.js'
import { inTransaction } from './transaction.js'

/** What a query runs on: the pool, or a transaction. */
type Queryable = PostgresConnection | PostgresTransaction

// Taken by every write to users: see createPostgresUserRepository.
const USERS_LOCK = 'task-api users'

const byId = async (db: Queryable, id: number) => (await db.select().from(users).where(eq(users.id, id)))[0]
const byUsername = async (db: Queryable, username: string) => (await db.select().from(users).where(eq(users.username, username)))[0]

/** Whether another user than `exceptId` has `email`, in any case. */
async function emailTaken (tx: PostgresTransaction, email: string, exceptId?: number): Promise<boolean> {
  const [owner] = await tx.select({ id: users.id }).from(users).where(eq(sql`lower(${users.email})`, sql`lower(${email})`))
  return owner !== undefined && owner.id !== exceptId
}

/** How many administrators can act: enabled ones, not counting the built-in local user. */
async function enabledAdmins (tx: PostgresTransaction): Promise<number> {
  const [row] = await tx.select({ total: count() }).from(users)
    .where(and(eq(users.role, 'admin'), eq(users.disabled, false), ne(users.id, LOCAL_USER_ID)))
  return row?.total ?? 0
}

async function save (tx: PostgresTransaction, id: number, changes: Partial<UserRow>): Promise<StoredUser> {
  const [row] = await tx.update(users).set(changes).where(eq(users.id, id)).returning()
  return storedUser(row as UserRow)
}

/**
 * Users in PostgreSQL. Several instances may share the database, so a check
 * that spans rows (a taken username or email, the last admin) and the write
 * it guards must not interleave with another instance's: every write takes
 * one advisory lock first, inside its transaction, and the checks after it
 * see every write committed before.
 *
 * Unlike SQLite, users read by id are not remembered: another instance may
 * disable a user or change their password at any time, and there is no cheap
 * way to learn of it (SQLite's PRAGMA data_version has no equivalent), so each
 * read reads the row, a lookup by primary key.
 */
export function createPostgresUserRepository (db: PostgresConnection): UserRepository {
  /** Runs `work` in a transaction that holds the users lock. */
  const write = <T>(work: (tx: PostgresTransaction) => Promise<T>) => inTransaction(db, async (tx) => {
    await takeAdvisoryLock(tx, USERS_LOCK)
    return work(tx)
  })

  return {
    async create (user) {
      return write(async (tx) => {
        if (await byUsername(tx, user.username) !== undefined) return 'username-taken'
        if (user.email !== null && await emailTaken(tx, user.email)) return 'email-taken'
        const now = Date.now()
        const [row] = await tx.insert(users).values({ ...user, createdAt: now, updatedAt: now }).returning()
        return storedUser(row as UserRow)
      })
    },

    async findById (id) {
      const row = await byId(db, id)
      return row === undefined ? undefined : storedUser(row)
    },

    async findByUsername (username) {
      const row = await byUsername(db, username.toLowerCase())
      return row === undefined ? undefined : storedUser(row)
    },

    async update (id, { email, displayName, passwordHash, bio }) {
      return write(async (tx) => {
        const current = await byId(tx, id)
        if (current === undefined) return 'not-found'
        if (email !== undefined && await emailTaken(tx, email, id)) return 'email-taken'
        return save(tx, id, {
          ...(email === undefined ? {} : { email }),
          ...(displayName === undefined ? {} : { displayName }),
          ...(bio === undefined ? {} : { bio }),
          ...(passwordHash === undefined ? {} : { passwordHash, credentialsGeneration: current.credentialsGeneration + 1 }),
          updatedAt: Date.now()
        })
      })
    },

    async adminUpdate (username, { role, disabled }) {
      return write(async (tx) => {
        const current = await byUsername(tx, username.toLowerCase())
        if (current === undefined) return 'not-found'
        if (current.id === LOCAL_USER_ID) return 'built-in'
        const losesAdmin = current.role === 'admin' && !current.disabled && (role === 'member' || disabled === true)
        if (losesAdmin && await enabledAdmins(tx) <= 1) return 'last-admin'
        const disabling = disabled === true && !current.disabled
        return save(tx, current.id, {
          ...(role === undefined ? {} : { role }),
          ...(disabled === undefined ? {} : { disabled }),
          ...(disabling ? { credentialsGeneration: current.credentialsGeneration + 1 } : {}),
          updatedAt: Date.now()
        })
      })
    },

    async list ({ limit, offset, after }) {
      return inTransaction(db, async (tx) => {
        // One more than the page, to tell whether another page follows.
        const rows = after === undefined
          ? await tx.select().from(users).orderBy(asc(users.username)).limit(limit + 1).offset(offset)
          : await tx.select().from(users).where(gt(users.username, after)).orderBy(asc(users.username)).limit(limit + 1)
        const [all] = await tx.select({ total: count() }).from(users)
        return { items: rows.slice(0, limit).map(storedUser), total: all?.total ?? 0, hasMore: rows.length > limit }
      }, ONE_SNAPSHOT)
    },

    async countWithPassword () {
      const [row] = await db.select({ total: count() }).from(users).where(isNotNull(users.passwordHash))
      return row?.total ?? 0
    },

    async setAvatar (id, avatar) {
      // Under the users lock like every write, so no other change of the
      // picture comes between the read of the one replaced and the update.
      return write(async (tx) => {
        const current = await byId(tx, id)
        if (current === undefined) return 'not-found'
        const user = await save(tx, id, { avatarSha256: avatar?.sha256 ?? null, avatarType: avatar?.contentType ?? null, updatedAt: Date.now() })
        return { user, previous: current.avatarSha256 }
      })
    },

    async referencedAvatars (sha256s) {
      const rows = await db.selectDistinct({ sha256: users.avatarSha256 }).from(users).where(inArray(users.avatarSha256, [...sha256s]))
      // Never null: NULL is in no list.
      return new Set(rows.map(({ sha256 }) => sha256 as string))
    },

    async endSessions (id) {
      await write(async (tx) => tx.update(users).set({ sessionGeneration: sql`${users.sessionGeneration} + 1` }).where(eq(users.id, id)))
    }
  }
}
