import type { Project } from '../../schemas/project.js'
import { TASK_STATUSES } from '../../schemas/task.js'

const PRIORITIES = [1, 2, 3, 4, 5] as const

/** The choices of a task form's lists: statuses, priorities, and the projects the task may be put in. */
export function taskFormOptions (projects: readonly Project[]) {
  return { statuses: TASK_STATUSES, priorities: PRIORITIES, projects }
}
