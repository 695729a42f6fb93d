import { and, count, desc, eq, inArray, lt, lte, sql, type SQL } from 'drizzle-orm'
import type { JobRepository, NewJob } from '../job-repository.js'
import { commitSignal } from '../commit-signal.js'
import { LAPSED_LEASE, settledColumns, storedJob, type JobRow } from '../job-row.js'
import type { GroupCommit } from './group-commit.js'
import { jobs } from './schema.js'
import type { SqliteConnection } from './sqlite-database.js'

/**
 * The job queue in SQLite. A claim is one write transaction (SQLite lets one
 * writer at a time, across processes too), so two workers never take the
 * same job; the lease is what lets another take it when its worker died.
 * `insert` runs inside the transaction of the change that causes the jobs.
 */
export function createSqliteJobRepository (db: SqliteConnection, write: GroupCommit) {
  const { notify: enqueued, listen: onEnqueued } = commitSignal()
  const insert = (newJobs: readonly NewJob[], now: number) => db.insert(jobs)
    .values(newJobs.map(({ kind, payload }) => ({ kind, payload: JSON.stringify(payload), runAt: now, createdAt: now, updatedAt: now })))
    .returning().all() as JobRow[]
  const find = (id: number) => db.select().from(jobs).where(eq(jobs.id, id)).all()[0] as JobRow | undefined

  const repository: JobRepository = {
    async enqueue (newJobs, now) {
      if (newJobs.length === 0) return []
      const rows = await write(() => insert(newJobs, now))
      enqueued()
      return rows.map(storedJob)
    },

    async claim ({ worker, limit, leaseMs, maxAttempts, now }) {
      return write(() => {
        db.update(jobs).set({
          state: sql`CASE WHEN ${jobs.attempts} >= ${maxAttempts} THEN 'dead' ELSE 'pending' END`,
          runAt: now,
          leaseExpiresAt: null,
          claimedBy: null,
          lastError: LAPSED_LEASE,
          updatedAt: now
        }).where(and(eq(jobs.state, 'running'), lte(jobs.leaseExpiresAt, now))).run()
        const due = db.select({ id: jobs.id }).from(jobs)
          .where(and(eq(jobs.state, 'pending'), lte(jobs.runAt, now)))
          .orderBy(jobs.runAt, jobs.id).limit(limit)
        const claimed = db.update(jobs)
          .set({ state: 'running', attempts: sql`${jobs.attempts} + 1`, leaseExpiresAt: now + leaseMs, claimedBy: worker, updatedAt: now })
          .where(inArray(jobs.id, due)).returning().all() as JobRow[]
        return claimed.sort((a, b) => a.runAt - b.runAt || a.id - b.id).map(storedJob)
      })
    },

    async settle (id, worker, settlement, now) {
      const { uncounted, ...columns } = settledColumns(settlement, now)
      return write(() => db.update(jobs)
        .set({ ...columns, ...(uncounted ? { attempts: sql`${jobs.attempts} - 1` } : {}) })
        .where(and(eq(jobs.id, id), eq(jobs.state, 'running'), eq(jobs.claimedBy, worker)))
        .run().changes === 1)
    },

    async list ({ state, limit, offset, after }) {
      const filter: SQL | undefined = state === undefined ? undefined : eq(jobs.state, state)
      return db.transaction(() => {
        const [{ total } = { total: 0 }] = db.select({ total: count() }).from(jobs).where(filter).all()
        const rows = db.select().from(jobs)
          .where(after === undefined ? filter : and(filter, lt(jobs.id, Number(after))))
          .orderBy(desc(jobs.id)).limit(limit + 1).offset(after === undefined ? offset : 0).all() as JobRow[]
        return { items: rows.slice(0, limit).map(storedJob), total, hasMore: rows.length > limit }
      }, { behavior: 'deferred' })
    },

    async findById (id) {
      const row = find(id)
      return row === undefined ? undefined : storedJob(row)
    },

    async purgeFinished (before) {
      return write(() => db.delete(jobs).where(and(inArray(jobs.state, ['done', 'skipped']), lt(jobs.updatedAt, before))).run().changes)
    },

    async retry (id, now) {
      return write(() => {
        const [row] = db.update(jobs)
          .set({ state: 'pending', attempts: 0, runAt: now, updatedAt: now })
          .where(and(eq(jobs.id, id), inArray(jobs.state, ['dead', 'skipped'])))
          .returning().all() as JobRow[]
        if (row !== undefined) return storedJob(row)
        return find(id) === undefined ? 'not-found' as const : 'not-finished' as const
      }).then((result) => {
        if (typeof result !== 'string') enqueued()
        return result
      })
    }
  }
  return { repository, insert, enqueued, onEnqueued }
}
