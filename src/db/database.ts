import type { Task, TaskCreate, TaskListQuery, TaskUpdate } from '../schemas/task.js'

/** One page of tasks and how many tasks match over all pages. */
export interface TaskPage {
  items: Task[]
  total: number
}

/**
 * Where tasks are kept. Soft-deleted tasks are invisible to every method but
 * `list` with `include_deleted` and `restore`.
 */
export interface TaskRepository {
  create (input: TaskCreate): Promise<Task>
  findById (id: number): Promise<Task | undefined>
  list (query: TaskListQuery): Promise<TaskPage>
  /** Applies the given fields; undefined when there is no such task. */
  update (id: number, changes: TaskUpdate): Promise<Task | undefined>
  /** Whether a task was deleted: false when there was none to delete. */
  softDelete (id: number): Promise<boolean>
  /** Brings back a soft-deleted task; undefined when there is no such task. */
  restore (id: number): Promise<Task | undefined>
}

/**
 * The data-access layer: all SQL lives behind this interface, so that another
 * SQL dialect can be added without touching the routes.
 */
export interface Database {
  readonly tasks: TaskRepository
  /** Resolves when the database answers a query. */
  ping (): Promise<void>
  /** Closes the database; later calls do nothing. */
  close (): Promise<void>
}
