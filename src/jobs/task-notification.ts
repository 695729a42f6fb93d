import type { NewJob } from '../db/job-repository.js'
import type { TaskStatus } from '../schemas/task.js'
import { completes, type TaskChange } from './task-change.js'

/** An email job's payload: to whom, why, the task as the change left it, and who changed it. */
export interface TaskNotification {
  to: string
  reason: 'completed' | 'assigned'
  task: { id: number, title: string, status: TaskStatus, assignee: string | null, project: string | null }
  by: string
}

/**
 * The emails a task change causes: to the task's `notify_email` when it
 * becomes done, and to the user it is newly assigned to when that user has
 * an email address (`assigneeEmail`, looked up by the writer in the same
 * transaction when newAssignee names one).
 */
export function notificationJobs (change: TaskChange, assigneeEmail: string | null): NewJob[] {
  const { after, actor } = change
  const task = { id: after.id, title: after.title, status: after.status, assignee: after.assignee, project: after.projectSlug }
  const jobs: NewJob[] = []
  if (completes(change) && after.notifyEmail !== null) {
    jobs.push({ kind: 'email', payload: { to: after.notifyEmail, reason: 'completed', task, by: actor.username } satisfies TaskNotification })
  }
  if (assigneeEmail !== null) {
    jobs.push({ kind: 'email', payload: { to: assigneeEmail, reason: 'assigned', task, by: actor.username } satisfies TaskNotification })
  }
  return jobs
}
