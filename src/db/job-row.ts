import type { JobKind, JobState } from '../schemas/job.js'
import type { Settlement, StoredJob } from './job-repository.js'

/** A job row as both databases store it (the payload as JSON text). */
export interface JobRow {
  id: number
  kind: JobKind
  payload: string
  state: JobState
  attempts: number
  runAt: number
  leaseExpiresAt: number | null
  claimedBy: string | null
  lastError: string | null
  createdAt: number
  updatedAt: number
}

/** What a lapsed lease leaves as the job's last error. */
export const LAPSED_LEASE = 'its worker stopped before it finished (the lease ran out)'

export function storedJob ({ claimedBy: _, payload, ...row }: JobRow): StoredJob {
  return { ...row, payload: JSON.parse(payload) as unknown }
}

/**
 * The columns a settlement sets, but `attempts`: a released job's attempt
 * is taken back (`uncounted`), which each database writes in its own SQL.
 */
export function settledColumns (settlement: Settlement, now: number) {
  const free = { leaseExpiresAt: null, claimedBy: null, updatedAt: now }
  switch (settlement.state) {
    case 'done': return { ...free, state: 'done' as const, lastError: null, uncounted: false }
    case 'skipped': return { ...free, state: 'skipped' as const, lastError: settlement.reason, uncounted: false }
    case 'released': return { ...free, state: 'pending' as const, runAt: now, uncounted: true }
    case 'failed': return settlement.retryAt === null
      ? { ...free, state: 'dead' as const, lastError: settlement.error, uncounted: false }
      : { ...free, state: 'pending' as const, runAt: settlement.retryAt, lastError: settlement.error, uncounted: false }
  }
}
