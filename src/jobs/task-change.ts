import type { TaskRecord } from '../db/task-record.js'
import type { Viewer } from '../db/viewer.js'

/** A change to a task as a write made it: what the task was (null when created), what it is now, and who made it. */
export interface TaskChange {
  operation: 'create' | 'update' | 'delete' | 'restore'
  before: TaskRecord | null
  after: TaskRecord
  actor: Viewer
}

/** Whether the change made the task done (it was not, or it did not exist). */
export function completes ({ before, after }: TaskChange): boolean {
  return after.status === 'done' && before?.status !== 'done'
}

/**
 * The assignee the change gave the task, when it gave it one (on create, or
 * a new assignee on update) and that is not the person making the change.
 */
export function newAssignee ({ before, after, actor }: TaskChange): string | undefined {
  if (after.assignee === null || after.assignee === before?.assignee) return undefined
  return after.assignee.toLowerCase() === actor.username ? undefined : after.assignee
}
