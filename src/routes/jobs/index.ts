import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import getJob from './get-job.js'
import listJobs from './list-jobs.js'
import retryJob from './retry-job.js'

/** The job queue, for administrators (scope `users:admin`): register with the prefix `/admin/jobs`. */
const jobs: FastifyPluginAsyncTypebox = async (fastify) => {
  await fastify.register(listJobs)
  await fastify.register(getJob)
  await fastify.register(retryJob)
}

export default jobs
