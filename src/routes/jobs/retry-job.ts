import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ProblemError } from '../../problems/problem-error.js'
import { problemResponses } from '../../problems/problem-responses.js'
import { Job, JobIdParams } from '../../schemas/job.js'
import { Ref } from '../../schemas/type-helpers.js'
import { jobNotFound } from './job-problems.js'
import { shownJob } from './shown-job.js'

const retryJob: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post('/:job_id/retry', {
    config: { access: 'users:admin' },
    schema: {
      operationId: 'retryJob',
      summary: 'Retry a job',
      description: 'Makes a `dead` or `skipped` job pending again, due now, with its attempts back at 0 (after fixing what made it fail: a receiver, SMTP_URL). A job still pending or running, or done, cannot be retried (409).',
      tags: ['Administration'],
      params: JobIdParams,
      response: {
        200: Ref(Job, { description: 'The job, pending again.' }),
        ...problemResponses('malformed-json', 'not-found', 'job-not-finished', 'payload-too-large', 'unsupported-media-type', 'validation', 'rate-limited')
      }
    }
  }, async (request) => {
    const id = request.params.job_id
    const job = await fastify.db.jobs.retry(id, Date.now())
    if (job === 'not-found') throw jobNotFound(id)
    if (job === 'not-finished') throw new ProblemError('job-not-finished', `Job ${id} is not dead or skipped: only those can be retried.`)
    return shownJob(job)
  })
}

export default retryJob
