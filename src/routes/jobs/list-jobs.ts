import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { problemResponses } from '../../problems/problem-responses.js'
import { JobList, JobListQuery } from '../../schemas/job.js'
import { Ref } from '../../schemas/type-helpers.js'
import { keyedPageBody, keyedPageRequest, refuseCursorWithOffset } from '../paging.js'
import { shownJob } from './shown-job.js'

const listJobs: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get('/', {
    config: { access: 'users:admin' },
    preValidation: refuseCursorWithOffset,
    schema: {
      operationId: 'listJobs',
      summary: 'List jobs',
      description: 'The job queue, newest first, a page at a time (by `offset` or `cursor`): emails waiting, being sent, sent, skipped or dead. `state=dead` lists what needs an administrator.',
      tags: ['Administration'],
      querystring: JobListQuery,
      response: {
        200: Ref(JobList, {
          description: 'One page of jobs.',
          headers: { Link: Type.String({ description: 'RFC 8288 link to the next page; absent on the last page.' }) }
        }),
        ...problemResponses('validation', 'rate-limited')
      }
    }
  }, async (request, reply) => {
    // The list is named by its filter, so a cursor only continues the list it came from.
    const list = ['jobs', request.query.state ?? null]
    const jobs = await fastify.db.jobs.list({ ...keyedPageRequest(request.query, list), state: request.query.state })
    return keyedPageBody(request, reply, request.query, list, { ...jobs, items: jobs.items.map(shownJob) }, (job) => String(job.id))
  })
}

export default listJobs
