import { and, asc, count, eq, gt, inArray, isNotNull, ne, sql } from 'drizzle-orm'
import { LRUCache } from 'lru-cache'
import { LOCAL_USER_ID } from '../local-user.js'
import type { PageRequest } from '../page.js'
import { storedUser, type UserRow } from '../stored-user.js'
import type { StoredUser, UserRepository } from '../user-repository.js'
import type { GroupCommit } from './group-commit.js'
import { users } from './schema.js'
import type { SqliteConnection } from './sqlite-database.js'

const placeholder = (name: string) => sql.placeholder(name)

// Users read by id (every authenticated request reads its user) that are kept.
const REMEMBERED_USERS = 10_000

/**
 * Users in SQLite. Checks that span rows (a taken email, the last admin) run
 * inside the write's transaction.
 *
 * Every authenticated request reads its user by id, to see whether it is
 * still enabled and at the credentials generation of the token; users
 * change rarely, so the users read are remembered. Every change made here
 * forgets them, and so does any commit of another connection to the file
 * (another process: PRAGMA data_version moves), so a disabled user or a new
 * password is seen at once all the same.
 */
export function createSqliteUserRepository (db: SqliteConnection, write: GroupCommit): UserRepository {
  const byId = db.select().from(users).where(eq(users.id, placeholder('id'))).prepare()
  const dataVersion = db.$client.prepare('PRAGMA data_version').pluck()
  const remembered = new LRUCache<number, StoredUser>({ max: REMEMBERED_USERS })
  let rememberedAt: unknown
  /** The users remembered, forgotten first if another connection committed since. */
  const rememberedUsers = () => {
    const version = dataVersion.get()
    if (version !== rememberedAt) {
      remembered.clear()
      rememberedAt = version
    }
    return remembered
  }
  const byUsername = db.select().from(users).where(eq(users.username, placeholder('username'))).prepare()
  const emailOwner = db.select({ id: users.id }).from(users)
    .where(eq(sql`lower(${users.email})`, sql`lower(${placeholder('email')})`))
    .prepare()
  const enabledAdmins = db.select({ total: count() }).from(users)
    .where(and(eq(users.role, 'admin'), eq(users.disabled, false), ne(users.id, LOCAL_USER_ID)))
    .prepare()
  const withPassword = db.select({ total: count() }).from(users).where(isNotNull(users.passwordHash)).prepare()
  const total = db.select({ total: count() }).from(users).prepare()
  const pageFrom = db.select().from(users).orderBy(asc(users.username))
    .limit(placeholder('limit')).offset(placeholder('offset')).prepare()
  const pageAfter = db.select().from(users).where(gt(users.username, placeholder('after'))).orderBy(asc(users.username))
    .limit(placeholder('limit')).prepare()

  // One read transaction, so the page and the total see the same rows.
  const readPage = db.$client.transaction(({ limit, offset, after }: PageRequest) => {
    // One more than the page, to tell whether another page follows.
    const rows = after === undefined ? pageFrom.all({ limit: limit + 1, offset }) : pageAfter.all({ limit: limit + 1, after })
    return { items: rows.slice(0, limit).map(storedUser), total: total.get()?.total ?? 0, hasMore: rows.length > limit }
  })

  const save = (id: number, changes: Partial<UserRow>): StoredUser => {
    const [row] = db.update(users).set(changes).where(eq(users.id, id)).returning().all()
    // Inside the write's transaction, which commits before any read can run.
    remembered.delete(id)
    return storedUser(row as UserRow)
  }
  const emailTaken = (email: string, exceptId?: number) => {
    const owner = emailOwner.get({ email })
    return owner !== undefined && owner.id !== exceptId
  }

  return {
    async create (user) {
      return write(() => {
        if (byUsername.get({ username: user.username }) !== undefined) return 'username-taken'
        if (user.email !== null && emailTaken(user.email)) return 'email-taken'
        const now = Date.now()
        const [row] = db.insert(users).values({ ...user, createdAt: now, updatedAt: now }).returning().all()
        return storedUser(row as UserRow)
      })
    },

    async findById (id) {
      const users = rememberedUsers()
      const known = users.get(id)
      if (known !== undefined) return known
      const row = byId.get({ id })
      if (row === undefined) return undefined
      const user = storedUser(row)
      users.set(id, user)
      return user
    },

    async findByUsername (username) {
      const row = byUsername.get({ username: username.toLowerCase() })
      return row === undefined ? undefined : storedUser(row)
    },

    async update (id, { email, displayName, passwordHash, bio }) {
      return write(() => {
        const current = byId.get({ id })
        if (current === undefined) return 'not-found'
        if (email !== undefined && emailTaken(email, id)) return 'email-taken'
        return save(id, {
          ...(email === undefined ? {} : { email }),
          ...(displayName === undefined ? {} : { displayName }),
          ...(bio === undefined ? {} : { bio }),
          ...(passwordHash === undefined ? {} : { passwordHash, credentialsGeneration: current.credentialsGeneration + 1 }),
          updatedAt: Date.now()
        })
      })
    },

    async adminUpdate (username, { role, disabled }) {
      return write(() => {
        const current = byUsername.get({ username: username.toLowerCase() })
        if (current === undefined) return 'not-found'
        if (current.id === LOCAL_USER_ID) return 'built-in'
        const losesAdmin = current.role === 'admin' && !current.disabled && (role === 'member' || disabled === true)
        if (losesAdmin && (enabledAdmins.get()?.total ?? 0) <= 1) return 'last-admin'
        const disabling = disabled === true && !current.disabled
        return save(current.id, {
          ...(role === undefined ? {} : { role }),
          ...(disabled === undefined ? {} : { disabled }),
          ...(disabling ? { credentialsGeneration: current.credentialsGeneration + 1 } : {}),
          updatedAt: Date.now()
        })
      })
    },

    async list (page) {
      return readPage(page)
    },

    async countWithPassword () {
      return withPassword.get()?.total ?? 0
    },

    async setAvatar (id, avatar) {
      return write(() => {
        // Read in the write's transaction, so the picture answered as replaced is the one the update overwrote.
        const current = byId.get({ id })
        if (current === undefined) return 'not-found'
        const user = save(id, { avatarSha256: avatar?.sha256 ?? null, avatarType: avatar?.contentType ?? null, updatedAt: Date.now() })
        return { user, previous: current.avatarSha256 }
      })
    },

    async referencedAvatars (sha256s) {
      const rows = db.selectDistinct({ sha256: users.avatarSha256 }).from(users).where(inArray(users.avatarSha256, [...sha256s])).all()
      // Never null: NULL is in no list.
      return new Set(rows.map(({ sha256 }) => sha256 as string))
    },

    async endSessions (id) {
      await write(() => {
        db.update(users).set({ sessionGeneration: sql`${users.sessionGeneration} + 1` }).where(eq(users.id, id)).run()
        remembered.delete(id)
      })
    }
  }
}
