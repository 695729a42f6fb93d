import type { JobKind, JobState } from '../schemas/job.js'
import type { Page, PageRequest } from './page.js'

/** A job as the outbox stores it: what it is, and what it works on (turned into JSON). */
export interface NewJob {
  kind: JobKind
  payload: unknown
}

export interface StoredJob {
  id: number
  kind: JobKind
  state: JobState
  payload: unknown
  attempts: number
  /** Milliseconds since the epoch, as every time here. */
  runAt: number
  leaseExpiresAt: number | null
  lastError: string | null
  createdAt: number
  updatedAt: number
}

/** How a claim is made: by whom, how many jobs at most, for how long, and when a lapsed job is given up. */
export interface Claim {
  /** The worker's id, unique to its process: only its claims can be settled by it. */
  worker: string
  limit: number
  leaseMs: number
  /** A running job whose lease ran out after this many attempts is dead rather than tried again. */
  maxAttempts: number
  now: number
}

/** How an attempt ended, as the worker that claimed it settles it. */
export type Settlement =
  | { state: 'done' }
  /** Nothing to do it with (no SMTP_URL): never tried again. */
  | { state: 'skipped', reason: string }
  /** Failed: tried again at `retryAt`, or dead when that is null. */
  | { state: 'failed', error: string, retryAt: number | null }
  /** Given back unfinished (the worker is stopping): pending again at once, the attempt not counted. */
  | { state: 'released' }

/** Why a job cannot be retried by hand. */
export type RetryRefusal = 'not-found' | 'not-finished'

/** The jobs list's filter and page (newest first; `after` is the id a cursor holds). */
export interface JobListRequest extends PageRequest {
  state?: JobState | undefined
}

/**
 * The durable job queue. Jobs are added in the transaction of the change that
 * causes them (see TaskRepository) or by `enqueue`; a worker claims due jobs
 * for a lease, which no other worker can take while it lasts, and settles
 * each. A running job whose lease ran out (its worker died) is pending again
 * at the next claim, or dead after its last attempt: every job is worked at
 * least once.
 */
export interface JobRepository {
  /** Adds jobs, due now, and answers them as stored. */
  enqueue (jobs: readonly NewJob[], now: number): Promise<StoredJob[]>
  /** Up to `limit` due jobs, oldest due first, now running under the worker's lease. */
  claim (claim: Claim): Promise<StoredJob[]>
  /** Settles a job the worker still holds; false when its claim was lost (its lease ran out and it went elsewhere). */
  settle (id: number, worker: string, settlement: Settlement, now: number): Promise<boolean>
  list (request: JobListRequest): Promise<Page<StoredJob>>
  findById (id: number): Promise<StoredJob | undefined>
  /** A dead or skipped job made pending again, due now, with its attempts back at 0. */
  retry (id: number, now: number): Promise<StoredJob | RetryRefusal>
  /** Forgets the jobs done or skipped before `before` (dead ones stay until retried); answers how many. */
  purgeFinished (before: number): Promise<number>
}
