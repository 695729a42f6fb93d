import type { Task, TaskCreate, TaskListQuery, TaskUpdate } from '../schemas/task.js'

/** One page of tasks, how many tasks match over all pages, and whether any come after this page. */
export interface TaskPage {
  items: Task[]
  total: number
  hasMore: boolean
}

/** Where a page starts in cursor paging: just after the task with this sort value and id. */
export interface ListPosition {
  value: string | number
  id: number
}

/** What a write may check the current task against (If-Match). */
export type TaskVersion = Pick<Task, 'id' | 'version'>

/** The first response to an Idempotency-Key, as it is replayed. */
export interface StoredResponse {
  key: string
  /** Method, path and body of the request it answered. */
  fingerprint: string
  status: number
  location: string | null
  etag: string | null
  /** The JSON body as sent. */
  body: string
  /** Milliseconds since the epoch after which the key is forgotten. */
  expiresAt: number
}

export interface WriteOptions {
  /** The write happens only if this holds for the task as it is now; otherwise 'precondition-failed'. */
  precondition?: ((current: TaskVersion) => boolean) | undefined
  /** The response to store for an Idempotency-Key, in the same transaction as the write. */
  respond?: ((task: Task) => StoredResponse) | undefined
}

/** Why a write to one task did not happen. */
export type WriteRefusal = 'not-found' | 'precondition-failed'

/**
 * Where tasks are kept. Soft-deleted tasks are invisible to every method but
 * `list` with `include_deleted` and `restore`. Every change adds one to the
 * task's version; a write that changes nothing leaves it.
 */
export interface TaskRepository {
  create (input: TaskCreate, options?: Pick<WriteOptions, 'respond'>): Promise<Task>
  findById (id: number): Promise<Task | undefined>
  /** A page from `query.offset`, or from just after `after` when given. */
  list (query: TaskListQuery, after?: ListPosition): Promise<TaskPage>
  /** Applies the given fields. */
  update (id: number, changes: TaskUpdate, options?: WriteOptions): Promise<Task | WriteRefusal>
  /** Soft-deletes a task and answers it as deleted. */
  softDelete (id: number, options?: WriteOptions): Promise<Task | WriteRefusal>
  /** Brings back a soft-deleted task; a task that is not deleted is answered unchanged. */
  restore (id: number, options?: WriteOptions): Promise<Task | WriteRefusal>
}

/** Responses kept for Idempotency-Key (written with the change they report, see WriteOptions). */
export interface IdempotencyRepository {
  /** The stored response for `key`, unless there is none or it has expired by `now`. */
  find (key: string, now: number): Promise<StoredResponse | undefined>
  /** Forgets the responses expired by `now`; answers how many. */
  purgeExpired (now: number): Promise<number>
}

/**
 * The data-access layer: all SQL lives behind this interface, so that another
 * SQL dialect can be added without touching the routes.
 */
export interface Database {
  readonly tasks: TaskRepository
  readonly idempotency: IdempotencyRepository
  /**
   * Resolves when the database answers a query and would take a write (one
   * is tried and rolled back); rejects with StorageUnavailableError when it
   * is full, read-only or failing.
   */
  ping (): Promise<void>
  /** Closes the database; later calls do nothing. */
  close (): Promise<void>
}
