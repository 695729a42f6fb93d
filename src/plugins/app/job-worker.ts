import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { publicUrlOf, type Config } from '../../config.js'
import { emailJob, type EmailSettings } from '../../jobs/email-job.js'
import { createJobWorker, type JobWorkerOptions } from '../../jobs/job-worker.js'
import { webhookDeliveryJob, type WebhookSettings } from '../../webhooks/delivery-job.js'
import { purgeInBackground } from './background-purge.js'

export interface JobWorkerPluginOptions extends Omit<JobWorkerOptions, 'jobs' | 'handlers' | 'log'> {
  email: EmailSettings
  webhook: Omit<WebhookSettings, 'maxAttempts'>
  /** JOB_SHUTDOWN_GRACE_MS */
  shutdownGraceMs: number
  /** JOB_RETENTION_MS */
  retentionMs: number
}

// Finished jobs only take room: forgotten at most this often.
const PURGE_INTERVAL_MS = 3_600_000

/**
 * Works the job queue in this process from the moment the server is ready:
 * jobs this process adds wake it at once (on PostgreSQL, those any process
 * adds), others are found by polling. On close, before the database closes,
 * it finishes or gives back what it holds. Now and then it forgets the jobs,
 * and the webhook deliveries, finished JOB_RETENTION_MS ago.
 */
async function jobWorker (fastify: FastifyInstance, { email, webhook, shutdownGraceMs, retentionMs, ...options }: JobWorkerPluginOptions) {
  const handlers = {
    email: emailJob(email),
    webhook: webhookDeliveryJob(fastify.db.webhooks, { ...webhook, maxAttempts: options.maxAttempts }, fastify.log)
  }
  const worker = createJobWorker({ ...options, jobs: fastify.db.jobs, handlers, log: fastify.log })
  fastify.db.onJobsEnqueued(worker.wake)
  fastify.addHook('onReady', async () => worker.start())
  fastify.addHook('preClose', async () => worker.stop(shutdownGraceMs))
  purgeInBackground(fastify, 'jobs', Math.min(retentionMs, PURGE_INTERVAL_MS), async () => {
    const before = Date.now() - retentionMs
    await fastify.db.jobs.purgeFinished(before)
    await fastify.db.webhooks.purgeFinished(before)
  })
}

export default fp(jobWorker, { name: 'job-worker', dependencies: ['database'] })

/** The worker's settings from the server's. */
export function jobWorkerSettings (config: Config): JobWorkerPluginOptions {
  return {
    concurrency: config.JOB_CONCURRENCY,
    pollIntervalMs: config.JOB_POLL_INTERVAL_MS,
    leaseMs: config.JOB_LEASE_MS,
    maxAttempts: config.JOB_MAX_ATTEMPTS,
    retryBaseMs: config.JOB_RETRY_BASE_MS,
    shutdownGraceMs: config.JOB_SHUTDOWN_GRACE_MS,
    retentionMs: config.JOB_RETENTION_MS,
    email: { smtpUrl: config.SMTP_URL, from: config.MAIL_FROM, publicUrl: publicUrlOf(config) },
    webhook: { allowPrivate: config.WEBHOOK_ALLOW_PRIVATE, timeoutMs: config.WEBHOOK_TIMEOUT_MS }
  }
}
