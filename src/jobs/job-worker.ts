import { randomUUID } from 'node:crypto'
import type { FastifyBaseLogger } from 'fastify'
import type { JobRepository, Settlement, StoredJob } from '../db/job-repository.js'
import type { JobKind } from '../schemas/job.js'
import { retryDelay } from './retry-delay.js'

/** How a job's work ended when it did not throw: done, or skipped for want of what it needs. */
export type JobOutcome = { state: 'done' } | { state: 'skipped', reason: string }

/** Thrown by a job's handler when trying again cannot help (a refused address): the job is dead at once. */
export class GivenUpError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'GivenUpError'
  }
}

/**
 * Does one attempt of a job. Throws to fail it (it is tried again later);
 * `signal` is aborted when the worker stops before the attempt finished.
 */
export type JobHandler = (job: StoredJob, signal: AbortSignal) => Promise<JobOutcome>

export interface JobWorkerOptions {
  jobs: JobRepository
  handlers: Record<JobKind, JobHandler>
  log: FastifyBaseLogger
  /** JOB_CONCURRENCY: jobs worked at once by this process. */
  concurrency: number
  /** JOB_POLL_INTERVAL_MS: how often an idle worker looks for due jobs (jobs added by this process wake it at once). */
  pollIntervalMs: number
  /** JOB_LEASE_MS: how long a claim lasts; past it, a job whose worker died is taken up again. */
  leaseMs: number
  /** JOB_MAX_ATTEMPTS: after this many failed attempts a job is dead. */
  maxAttempts: number
  /** JOB_RETRY_BASE_MS: the wait after the first failure, doubled after each next one. */
  retryBaseMs: number
}

export interface JobWorker {
  /** Starts claiming and working jobs. */
  start (): void
  /** Takes the jobs other processes (or retries) made due now, without waiting for the next poll. */
  wake (): void
  /**
   * Stops claiming, waits up to `graceMs` for the jobs being worked, and
   * gives back those still unfinished (aborting their work): pending again,
   * that attempt not counted, for another process or the next start.
   */
  stop (graceMs: number): Promise<void>
}

interface Attempt {
  controller: AbortController
  finished: Promise<void>
}

/** A worker of the job queue, one per process (the server's, or `npm run worker`'s). */
export function createJobWorker ({ jobs, handlers, log, concurrency, pollIntervalMs, leaseMs, maxAttempts, retryBaseMs }: JobWorkerOptions): JobWorker {
  const worker = randomUUID()
  const attempts = new Map<number, Attempt>()
  let stopping = false
  let loop: Promise<void> | undefined
  // Set by wake(): the next sleep returns at once, so a wake while claiming is not lost.
  let woken = false
  let interrupt: (() => void) | undefined

  const sleep = () => new Promise<void>((resolve) => {
    if (woken) {
      woken = false
      return resolve()
    }
    const timer = setTimeout(done, pollIntervalMs)
    function done () {
      clearTimeout(timer)
      interrupt = undefined
      woken = false
      resolve()
    }
    interrupt = done
  })
  const wake = () => {
    woken = true
    interrupt?.()
  }

  const settle = async (job: StoredJob, settlement: Settlement) => {
    try {
      const settled = await jobs.settle(job.id, worker, settlement, Date.now())
      if (!settled) log.warn({ job: job.id }, 'a job finished after its claim was lost (its lease ran out, or it was given back at shutdown): it is worked again')
    } catch (error) {
      // Its lease runs out and it is tried again: at least once, still.
      log.error({ err: error, job: job.id }, 'settling a job failed: it is tried again once its lease runs out')
    }
  }

  const work = async (job: StoredJob, controller: AbortController) => {
    const context = { job: job.id, kind: job.kind, attempt: job.attempts }
    let settlement: Settlement
    try {
      settlement = await handlers[job.kind](job, controller.signal)
      if (settlement.state === 'skipped') log.info({ ...context, reason: settlement.reason }, 'job skipped')
      else log.info(context, 'job done')
    } catch (error) {
      if (controller.signal.aborted) return
      const last = job.attempts >= maxAttempts || error instanceof GivenUpError
      const retryAt = last ? null : Date.now() + retryDelay(job.attempts, retryBaseMs)
      log.warn({ ...context, err: error, retryAt: retryAt === null ? null : new Date(retryAt).toISOString() }, last ? 'job failed for the last time: it is dead' : 'job failed: it is tried again later')
      settlement = { state: 'failed', error: error instanceof Error ? error.message : String(error), retryAt }
    }
    await settle(job, settlement)
  }

  const begin = (job: StoredJob) => {
    const controller = new AbortController()
    const finished = work(job, controller).finally(() => {
      attempts.delete(job.id)
      wake()
    })
    attempts.set(job.id, { controller, finished })
  }

  const run = async () => {
    while (!stopping) {
      const free = concurrency - attempts.size
      let claimed: StoredJob[] = []
      if (free > 0) {
        try {
          claimed = await jobs.claim({ worker, limit: free, leaseMs, maxAttempts, now: Date.now() })
        } catch (error) {
          log.error({ err: error }, 'claiming jobs failed: trying again at the next poll')
        }
      }
      // Begun even when stop() came meanwhile: it waits for them, or gives them back.
      for (const job of claimed) begin(job)
      // A full claim may leave more due: claim again at once, while there is room.
      if (claimed.length === 0 || claimed.length < free) await sleep()
    }
  }

  return {
    start () {
      loop ??= run()
    },
    wake,
    async stop (graceMs) {
      stopping = true
      wake()
      await loop
      if (attempts.size === 0) return
      let timer: NodeJS.Timeout | undefined
      const grace = new Promise<void>((resolve) => { timer = setTimeout(resolve, graceMs) })
      await Promise.race([Promise.all([...attempts.values()].map(({ finished }) => finished)), grace])
      clearTimeout(timer)
      const unfinished = [...attempts.entries()]
      if (unfinished.length > 0) log.warn({ jobs: unfinished.map(([id]) => id) }, 'jobs unfinished after the grace period are given back')
      await Promise.all(unfinished.map(async ([id, { controller }]) => {
        controller.abort()
        const settled = await jobs.settle(id, worker, { state: 'released' }, Date.now()).catch(() => false)
        if (!settled) log.warn({ job: id }, 'an unfinished job could not be given back: it is tried again once its lease runs out')
      }))
    }
  }
}
