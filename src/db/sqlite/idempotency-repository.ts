import { and, eq, gt, lte, sql } from 'drizzle-orm'
import type { IdempotencyRepository, StoredResponse } from '../database.js'
import { IdempotencyKeyInUseError } from '../idempotency-key-in-use-error.js'
import type { GroupCommit } from './group-commit.js'
import { idempotencyKeys } from './schema.js'
import type { SqliteConnection } from './sqlite-database.js'

/**
 * Stored responses for Idempotency-Key in SQLite. `save` runs inside the
 * transaction of the write it reports (see the task repository), so a write
 * and its stored response are committed together or not at all.
 */
export function createSqliteIdempotencyRepository (db: SqliteConnection, write: GroupCommit) {
  const find = db.select().from(idempotencyKeys)
    .where(and(
      eq(idempotencyKeys.userId, sql.placeholder('userId')),
      eq(idempotencyKeys.key, sql.placeholder('key')),
      gt(idempotencyKeys.expiresAt, sql.placeholder('now'))
    ))
    .prepare()
  // A key still present may be replaced only once expired; a live one
  // belongs to a request stored first (by another process on the same file).
  const insert = db.insert(idempotencyKeys).values({
    userId: sql.placeholder('userId'),
    key: sql.placeholder('key'),
    fingerprint: sql.placeholder('fingerprint'),
    status: sql.placeholder('status'),
    location: sql.placeholder('location'),
    etag: sql.placeholder('etag'),
    body: sql.placeholder('body'),
    expiresAt: sql.placeholder('expiresAt')
  }).onConflictDoUpdate({
    target: [idempotencyKeys.userId, idempotencyKeys.key],
    set: {
      fingerprint: sql`excluded.fingerprint`,
      status: sql`excluded.status`,
      location: sql`excluded.location`,
      etag: sql`excluded.etag`,
      body: sql`excluded.body`,
      expiresAt: sql`excluded.expires_at`
    },
    where: lte(idempotencyKeys.expiresAt, sql.placeholder('now'))
  }).prepare()
  const purge = db.delete(idempotencyKeys).where(lte(idempotencyKeys.expiresAt, sql.placeholder('now'))).prepare()

  const repository: IdempotencyRepository = {
    async find (userId, key, now) {
      return find.get({ userId, key, now })
    },
    async purgeExpired (now) {
      return write(() => purge.run({ now }).changes)
    }
  }
  return {
    repository,
    /** Stores a response; call inside a write transaction, which IdempotencyKeyInUseError rolls back. */
    save (response: StoredResponse) {
      if (insert.run({ ...response, now: Date.now() }).changes === 0) throw new IdempotencyKeyInUseError()
    }
  }
}
