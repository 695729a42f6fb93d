import type { StoredJob } from '../../db/job-repository.js'
import { isoTimestamp } from '../../db/iso-timestamp.js'
import type { Job } from '../../schemas/job.js'

/** A job as the API shows it. */
export function shownJob (job: StoredJob): Job {
  return {
    id: job.id,
    kind: job.kind,
    state: job.state,
    payload: job.payload,
    attempts: job.attempts,
    run_at: isoTimestamp(job.runAt),
    lease_expires_at: job.leaseExpiresAt === null ? null : isoTimestamp(job.leaseExpiresAt),
    last_error: job.lastError,
    created_at: isoTimestamp(job.createdAt),
    updated_at: isoTimestamp(job.updatedAt)
  }
}
