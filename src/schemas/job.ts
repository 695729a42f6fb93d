import { Type, type Static } from '@sinclair/typebox'
import { Page, PagingParameters } from './page.js'
import { Timestamp } from './timestamp.js'
import { Nullable, Ref, StringEnum } from './type-helpers.js'

export const JOB_STATES = ['pending', 'running', 'done', 'skipped', 'dead'] as const
export const JOB_KINDS = ['email', 'webhook'] as const

export const JobState = StringEnum(JOB_STATES, {
  $id: 'JobState',
  title: 'JobState',
  description: '`pending`: waiting for its time (`run_at`), retries included; `running`: claimed by a worker until `lease_expires_at`; `done`: it succeeded; `skipped`: there was nothing to do it with (no SMTP_URL) and it will not be tried again; `dead`: it failed `JOB_MAX_ATTEMPTS` times, and waits for an administrator to retry it.'
})
export type JobState = Static<typeof JobState>

export const JobKind = StringEnum(JOB_KINDS, {
  $id: 'JobKind',
  title: 'JobKind',
  description: '`email`: a notification sent by SMTP; `webhook`: a delivery of a task event to a webhook (see its deliveries).'
})
export type JobKind = Static<typeof JobKind>

const JobId = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'The job\'s id.' })

export const Job = Type.Object({
  id: JobId,
  kind: Ref(JobKind),
  state: Ref(JobState),
  payload: Type.Unknown({ description: 'What the job works on (an email: its recipient, why it is sent, the task).' }),
  attempts: Type.Integer({ minimum: 0, description: 'How many times a worker has started it.' }),
  run_at: Timestamp,
  lease_expires_at: Nullable(Timestamp, { description: 'While `running`: when the worker\'s claim runs out and the job is tried again elsewhere.' }),
  last_error: Nullable(Type.String(), { description: 'Why the last attempt failed, or why the job was skipped.' }),
  created_at: Timestamp,
  updated_at: Timestamp
}, { $id: 'Job', title: 'Job', additionalProperties: false })
export type Job = Static<typeof Job>

export const JobList = Page(Ref(Job), { $id: 'JobList', description: 'One page of jobs, newest first.' })

export const JobListQuery = Type.Object({
  ...PagingParameters,
  state: Type.Optional(Ref(JobState, { description: 'Only jobs in this state.' }))
}, { additionalProperties: false })
export type JobListQuery = Static<typeof JobListQuery>

export const JobIdParams = Type.Object({ job_id: JobId }, { additionalProperties: false })
