import { and, count, desc, eq, gt, isNull, lte, or, sql } from 'drizzle-orm'
import { exchangeVerdict, replacementOf } from '../refresh-exchange.js'
import { holder, storedPersonalToken, type PersonalTokenRow } from '../stored-token.js'
import { MAX_PERSONAL_TOKENS, type TokenRepository } from '../token-repository.js'
import type { GroupCommit } from './group-commit.js'
import { personalTokens, refreshTokens, users } from './schema.js'
import type { SqliteConnection } from './sqlite-database.js'

const placeholder = (name: string) => sql.placeholder(name)

/** Personal access and refresh tokens in SQLite; a refresh token's exchange is one transaction. */
export function createSqliteTokenRepository (db: SqliteConnection, write: GroupCommit): TokenRepository {
  const unexpired = or(isNull(personalTokens.expiresAt), gt(personalTokens.expiresAt, placeholder('now')))
  const personalByHash = db.select().from(personalTokens)
    .innerJoin(users, eq(users.id, personalTokens.userId))
    .where(and(eq(personalTokens.tokenHash, placeholder('tokenHash')), unexpired))
    .prepare()
  const personalOfUser = db.select().from(personalTokens)
    .where(and(eq(personalTokens.userId, placeholder('userId')), unexpired))
    .orderBy(desc(personalTokens.id))
    .prepare()
  const personalCount = db.select({ total: count() }).from(personalTokens)
    .where(and(eq(personalTokens.userId, placeholder('userId')), unexpired))
    .prepare()
  const refreshByHash = db.select().from(refreshTokens)
    .innerJoin(users, eq(users.id, refreshTokens.userId))
    .where(eq(refreshTokens.tokenHash, placeholder('tokenHash')))
    .prepare()

  return {
    async createPersonal (token, now) {
      return write(() => {
        if ((personalCount.get({ userId: token.userId, now })?.total ?? 0) >= MAX_PERSONAL_TOKENS) return 'limit-reached'
        const [row] = db.insert(personalTokens).values({ ...token, scopes: token.scopes.join(' '), createdAt: now }).returning().all()
        return storedPersonalToken(row as PersonalTokenRow)
      })
    },

    async listPersonal (userId, now) {
      return personalOfUser.all({ userId, now }).map(storedPersonalToken)
    },

    async deletePersonal (userId, id) {
      return write(() => db.delete(personalTokens)
        .where(and(eq(personalTokens.id, id), eq(personalTokens.userId, userId)))
        .run().changes > 0)
    },

    async findPersonal (tokenHash, now) {
      const row = personalByHash.get({ tokenHash, now })
      const user = row === undefined ? undefined : holder(row.users, row.personal_tokens.credentialsGeneration)
      return row === undefined || user === undefined ? undefined : { token: storedPersonalToken(row.personal_tokens), user }
    },

    async createRefresh (token, now) {
      await write(() => db.insert(refreshTokens).values({ ...token, scopes: token.scopes.join(' '), createdAt: now }).run())
    },

    async exchangeRefresh (tokenHash, replacement, requestedScopes, now) {
      return write(() => {
        const row = refreshByHash.get({ tokenHash })
        if (row === undefined) return 'invalid'
        const token = row.refresh_tokens
        const verdict = exchangeVerdict(token, row.users, requestedScopes, now)
        if (verdict === 'reused') {
          // A stolen token and its rightful holder both use it: neither can tell
          // which came first, so every token of the family stops working.
          db.update(refreshTokens).set({ revokedAt: now })
            .where(and(eq(refreshTokens.family, token.family), isNull(refreshTokens.revokedAt)))
            .run()
        } else if (typeof verdict !== 'string') {
          db.update(refreshTokens).set({ usedAt: now }).where(eq(refreshTokens.id, token.id)).run()
          db.insert(refreshTokens).values(replacementOf(token, replacement, now)).run()
        }
        return verdict
      })
    },

    async purgeExpired (now) {
      return write(() =>
        db.delete(refreshTokens).where(lte(refreshTokens.expiresAt, now)).run().changes +
        db.delete(personalTokens).where(lte(personalTokens.expiresAt, now)).run().changes)
    }
  }
}
