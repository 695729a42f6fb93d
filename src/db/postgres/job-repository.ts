import { and, count, desc, eq, inArray, lt, lte, sql, type SQL } from 'drizzle-orm'
import type { JobRepository, NewJob } from '../job-repository.js'
import { commitSignal } from '../commit-signal.js'
import { LAPSED_LEASE, settledColumns, storedJob, type JobRow } from '../job-row.js'
import type { PostgresConnection, PostgresTransaction } from './postgres-database.js'
import { notification } from './notifications.js'
import { jobs } from './schema.js'
import { ONE_SNAPSHOT } from './one-snapshot.js'
import { inTransaction } from './transaction.js'

/**
 * The job queue in PostgreSQL. Workers on any number of instances claim at
 * once: each claim locks the due rows it takes and skips those another claim
 * holds (FOR UPDATE SKIP LOCKED), so a job goes to one worker, and none waits
 * for another. `insert` runs inside the transaction of the change that
 * causes the jobs. Jobs added, or made due again, are told to every
 * instance's worker (NOTIFY), once they are committed.
 */
export function createPostgresJobRepository (db: PostgresConnection) {
  const { notify: enqueued, listen: onEnqueued } = commitSignal()
  const announce = async (tx: PostgresTransaction) => tx.execute(sql`SELECT ${notification('task_jobs')}`)
  const insert = async (tx: PostgresTransaction, newJobs: readonly NewJob[], now: number) => {
    const rows = await tx.insert(jobs)
      .values(newJobs.map(({ kind, payload }) => ({ kind, payload: JSON.stringify(payload), runAt: now, createdAt: now, updatedAt: now })))
      .returning() as JobRow[]
    await announce(tx)
    return rows
  }

  const repository: JobRepository = {
    async enqueue (newJobs, now) {
      if (newJobs.length === 0) return []
      const rows = await inTransaction(db, async (tx) => insert(tx, newJobs, now))
      enqueued()
      return rows.map(storedJob)
    },

    async claim ({ worker, limit, leaseMs, maxAttempts, now }) {
      const lapsed = db.select({ id: jobs.id }).from(jobs)
        .where(and(eq(jobs.state, 'running'), lte(jobs.leaseExpiresAt, now)))
        .for('update', { skipLocked: true })
      await db.update(jobs).set({
        state: sql`CASE WHEN ${jobs.attempts} >= ${maxAttempts} THEN 'dead' ELSE 'pending' END`,
        runAt: now,
        leaseExpiresAt: null,
        claimedBy: null,
        lastError: LAPSED_LEASE,
        updatedAt: now
      }).where(inArray(jobs.id, lapsed))
      const due = db.select({ id: jobs.id }).from(jobs)
        .where(and(eq(jobs.state, 'pending'), lte(jobs.runAt, now)))
        .orderBy(jobs.runAt, jobs.id).limit(limit)
        .for('update', { skipLocked: true })
      const claimed = await db.update(jobs)
        .set({ state: 'running', attempts: sql`${jobs.attempts} + 1`, leaseExpiresAt: now + leaseMs, claimedBy: worker, updatedAt: now })
        .where(inArray(jobs.id, due)).returning() as JobRow[]
      return claimed.sort((a, b) => a.runAt - b.runAt || a.id - b.id).map(storedJob)
    },

    async settle (id, worker, settlement, now) {
      const { uncounted, ...columns } = settledColumns(settlement, now)
      const settled = await db.update(jobs)
        .set({ ...columns, ...(uncounted ? { attempts: sql`${jobs.attempts} - 1` } : {}) })
        .where(and(eq(jobs.id, id), eq(jobs.state, 'running'), eq(jobs.claimedBy, worker)))
        .returning({ id: jobs.id })
      return settled.length === 1
    },

    async list ({ state, limit, offset, after }) {
      const filter: SQL | undefined = state === undefined ? undefined : eq(jobs.state, state)
      return inTransaction(db, async (tx) => {
        const [{ total } = { total: 0 }] = await tx.select({ total: count() }).from(jobs).where(filter)
        const rows = await tx.select().from(jobs)
          .where(after === undefined ? filter : and(filter, lt(jobs.id, Number(after))))
          .orderBy(desc(jobs.id)).limit(limit + 1).offset(after === undefined ? offset : 0) as JobRow[]
        return { items: rows.slice(0, limit).map(storedJob), total, hasMore: rows.length > limit }
      }, ONE_SNAPSHOT)
    },

    async findById (id) {
      const [row] = await db.select().from(jobs).where(eq(jobs.id, id)) as JobRow[]
      return row === undefined ? undefined : storedJob(row)
    },

    async purgeFinished (before) {
      const { rowCount } = await db.delete(jobs).where(and(inArray(jobs.state, ['done', 'skipped']), lt(jobs.updatedAt, before)))
      return rowCount ?? 0
    },

    async retry (id, now) {
      const row = await inTransaction(db, async (tx) => {
        const [retried] = await tx.update(jobs)
          .set({ state: 'pending', attempts: 0, runAt: now, updatedAt: now })
          .where(and(eq(jobs.id, id), inArray(jobs.state, ['dead', 'skipped'])))
          .returning() as JobRow[]
        if (retried !== undefined) await announce(tx)
        return retried
      })
      if (row !== undefined) {
        enqueued()
        return storedJob(row)
      }
      return await repository.findById(id) === undefined ? 'not-found' : 'not-finished'
    }
  }
  return { repository, insert, enqueued, onEnqueued }
}
