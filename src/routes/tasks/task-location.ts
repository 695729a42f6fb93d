import type { Task } from '../../schemas/task.js'

/** Where a task is: its Location when created. */
export const taskLocation = (task: Task) => `/tasks/${task.id}`
