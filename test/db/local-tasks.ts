import { LOCAL_PRINCIPAL } from '../../src/auth/principal.js'
import type { ListPosition, TaskPage, TaskRepository, WriteOptions } from '../../src/db/database.js'
import type { Task, TaskCreate, TaskListQuery, TaskUpdate } from '../../src/schemas/task.js'

/**
 * The repository as the built-in local administrator uses it: it sees every
 * task, so lists are the whole table's (what members see is
 * test/db/task-visibility.test.ts's). Writes answer tasks or refusals as they are.
 */
export function asLocal (repository: TaskRepository) {
  const viewer = LOCAL_PRINCIPAL
  return {
    create: async (input: TaskCreate, options?: Pick<WriteOptions, 'respond'>) => repository.create(viewer, input, options) as Promise<Task>,
    findById: async (id: number) => repository.findById(viewer, id),
    list: async (query: TaskListQuery, after?: ListPosition) => repository.list(viewer, query, after) as Promise<TaskPage>,
    update: async (id: number, changes: TaskUpdate, options?: WriteOptions) => repository.update(viewer, id, changes, options),
    softDelete: async (id: number, options?: WriteOptions) => repository.softDelete(viewer, id, options),
    restore: async (id: number, options?: WriteOptions) => repository.restore(viewer, id, options)
  }
}
export type LocalTasks = ReturnType<typeof asLocal>
