import { and, count, desc, eq, gt, isNull, lte, or } from 'drizzle-orm'
import { exchangeVerdict, replacementOf } from '../refresh-exchange.js'
import { holder, storedPersonalToken, type PersonalTokenRow } from '../stored-token.js'
import { MAX_PERSONAL_TOKENS, type TokenRepository } from '../token-repository.js'
import type { PostgresConnection, PostgresTransaction } from './postgres-database.js'
import { personalTokens, refreshTokens, users } from './schema.js'
import { inTransaction } from './transaction.js'

/** A personal token that has not expired by `now`. */
const unexpired = (now: number) => or(isNull(personalTokens.expiresAt), gt(personalTokens.expiresAt, now))

/**
 * How many unexpired personal tokens the user holds, counted while their
 * row is locked: another instance creating one for them meanwhile waits for
 * this transaction to end, so two cannot both find room for the last token.
 * (FOR NO KEY UPDATE is enough to queue such counts, and unlike FOR UPDATE it
 * does not hold up writes that merely refer to the user, as a task they create.)
 */
async function personalCountLocked (tx: PostgresTransaction, userId: number, now: number): Promise<number> {
  await tx.select({ id: users.id }).from(users).where(eq(users.id, userId)).for('no key update')
  const [row] = await tx.select({ total: count() }).from(personalTokens).where(and(eq(personalTokens.userId, userId), unexpired(now)))
  return row?.total ?? 0
}

/**
 * Personal access and refresh tokens in PostgreSQL. A refresh token's
 * exchange reads its row FOR UPDATE: of two instances exchanging one token at
 * once, the second waits for the first to commit, then sees the token used
 * and answers 'reused', as the second of two exchanges in turn does.
 */
export function createPostgresTokenRepository (db: PostgresConnection): TokenRepository {
  return {
    async createPersonal (token, now) {
      return inTransaction(db, async (tx) => {
        if (await personalCountLocked(tx, token.userId, now) >= MAX_PERSONAL_TOKENS) return 'limit-reached'
        const [row] = await tx.insert(personalTokens).values({ ...token, scopes: token.scopes.join(' '), createdAt: now }).returning()
        return storedPersonalToken(row as PersonalTokenRow)
      })
    },

    async listPersonal (userId, now) {
      const rows = await db.select().from(personalTokens)
        .where(and(eq(personalTokens.userId, userId), unexpired(now)))
        .orderBy(desc(personalTokens.id))
      return rows.map(storedPersonalToken)
    },

    async deletePersonal (userId, id) {
      const { rowCount } = await db.delete(personalTokens).where(and(eq(personalTokens.id, id), eq(personalTokens.userId, userId)))
      return (rowCount ?? 0) > 0
    },

    async findPersonal (tokenHash, now) {
      const [row] = await db.select().from(personalTokens)
        .innerJoin(users, eq(users.id, personalTokens.userId))
        .where(and(eq(personalTokens.tokenHash, tokenHash), unexpired(now)))
      const user = row === undefined ? undefined : holder(row.users, row.personal_tokens.credentialsGeneration)
      return row === undefined || user === undefined ? undefined : { token: storedPersonalToken(row.personal_tokens), user }
    },

    async createRefresh (token, now) {
      await db.insert(refreshTokens).values({ ...token, scopes: token.scopes.join(' '), createdAt: now })
    },

    async exchangeRefresh (tokenHash, replacement, requestedScopes, now) {
      return inTransaction(db, async (tx) => {
        const [row] = await tx.select().from(refreshTokens)
          .innerJoin(users, eq(users.id, refreshTokens.userId))
          .where(eq(refreshTokens.tokenHash, tokenHash))
          .for('update', { of: refreshTokens })
        if (row === undefined) return 'invalid'
        const token = row.refresh_tokens
        const verdict = exchangeVerdict(token, row.users, requestedScopes, now)
        if (verdict === 'reused') {
          // A stolen token and its rightful holder both use it: neither can tell
          // which came first, so every token of the family stops working.
          await tx.update(refreshTokens).set({ revokedAt: now })
            .where(and(eq(refreshTokens.family, token.family), isNull(refreshTokens.revokedAt)))
        } else if (typeof verdict !== 'string') {
          await tx.update(refreshTokens).set({ usedAt: now }).where(eq(refreshTokens.id, token.id))
          await tx.insert(refreshTokens).values(replacementOf(token, replacement, now))
        }
        return verdict
      })
    },

    async purgeExpired (now) {
      return inTransaction(db, async (tx) => {
        const refresh = await tx.delete(refreshTokens).where(lte(refreshTokens.expiresAt, now))
        const personal = await tx.delete(personalTokens).where(lte(personalTokens.expiresAt, now))
        return (refresh.rowCount ?? 0) + (personal.rowCount ?? 0)
      })
    }
  }
}
