import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { problemResponses } from '../../problems/problem-responses.js'
import { Job, JobIdParams } from '../../schemas/job.js'
import { Ref } from '../../schemas/type-helpers.js'
import { jobNotFound } from './job-problems.js'
import { shownJob } from './shown-job.js'

const getJob: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get('/:job_id', {
    config: { access: 'users:admin' },
    schema: {
      operationId: 'getJob',
      summary: 'Get a job',
      description: 'One job: its state, attempts, next run and last error.',
      tags: ['Administration'],
      params: JobIdParams,
      response: {
        200: Ref(Job, { description: 'The job.' }),
        ...problemResponses('not-found', 'validation', 'rate-limited')
      }
    }
  }, async (request) => {
    const job = await fastify.db.jobs.findById(request.params.job_id)
    if (job === undefined) throw jobNotFound(request.params.job_id)
    return shownJob(job)
  })
}

export default getJob
