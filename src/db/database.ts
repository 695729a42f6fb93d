import type { Task, TaskCreate, TaskListQuery, TaskUpdate } from '../schemas/task.js'
import type { AttachmentRepository } from './attachment-repository.js'
import type { CommentRepository } from './comment-repository.js'
import type { EventLog } from './event-log.js'
import type { JobRepository } from './job-repository.js'
import type { Page } from './page.js'
import type { PresenceRepository } from './presence-repository.js'
import type { ProjectRepository } from './project-repository.js'
import type { SecretRepository } from './secret-repository.js'
import type { TokenRepository } from './token-repository.js'
import type { UserRepository } from './user-repository.js'
import type { WebhookRepository } from './webhook-repository.js'
import type { Viewer } from './viewer.js'

export type TaskPage = Page<Task>

/** Where a page starts in cursor paging: just after the task with this sort value and id. */
export interface ListPosition {
  value: string | number
  id: number
}

/** What a write may check the current task against (If-Match). */
export type TaskVersion = Pick<Task, 'id' | 'version'>

/** The first response to an Idempotency-Key, as it is replayed. */
export interface StoredResponse {
  /** Keys are per user: the same key from two users names two requests. */
  userId: number
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

/** Why a task's project, as given in a write or a list filter, cannot be used. */
export type TaskProjectRefusal =
  /** No project has that slug, or the viewer may not see it. */
  | 'project-not-found'
  /** The viewer sees the project but may not write its tasks (a viewer). */
  | 'project-forbidden'

/**
 * Why a write to one task did not happen: it does not exist or the viewer
 * may not see it; the viewer sees it but may not change it; its project (or
 * the one it would move to) refuses; its If-Match failed.
 */
export type WriteRefusal = 'not-found' | 'forbidden' | TaskProjectRefusal | 'precondition-failed'

/**
 * Where tasks are kept. Soft-deleted tasks are invisible to every method but
 * `list` with `include_deleted` and `restore`. Every change adds one to the
 * task's version; a write that changes nothing leaves it. Every method takes
 * the viewer: a task they may not see is 'not-found' (or missing from a
 * list), exactly as one that does not exist. Whoever sees a task may change
 * it, but a project's viewers; putting a task in a project, or taking it out,
 * needs write access to that project.
 */
export interface TaskRepository {
  create (viewer: Viewer, input: TaskCreate, options?: Pick<WriteOptions, 'respond'>): Promise<Task | TaskProjectRefusal>
  findById (viewer: Viewer, id: number): Promise<Task | undefined>
  /** A page from `query.offset`, or from just after `after` when given. */
  list (viewer: Viewer, query: TaskListQuery, after?: ListPosition): Promise<TaskPage | 'project-not-found'>
  /** Applies the given fields. */
  update (viewer: Viewer, id: number, changes: TaskUpdate, options?: WriteOptions): Promise<Task | WriteRefusal>
  /** Soft-deletes a task and answers it as deleted. */
  softDelete (viewer: Viewer, id: number, options?: WriteOptions): Promise<Task | WriteRefusal>
  /** Brings back a soft-deleted task; a task that is not deleted is answered unchanged. */
  restore (viewer: Viewer, id: number, options?: WriteOptions): Promise<Task | WriteRefusal>
}

/** Responses kept for Idempotency-Key (written with the change they report, see WriteOptions). */
export interface IdempotencyRepository {
  /** The user's stored response for `key`, unless there is none or it has expired by `now`. */
  find (userId: number, key: string, now: number): Promise<StoredResponse | undefined>
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
  readonly users: UserRepository
  readonly tokens: TokenRepository
  readonly projects: ProjectRepository
  readonly secrets: SecretRepository
  readonly jobs: JobRepository
  readonly webhooks: WebhookRepository
  readonly comments: CommentRepository
  /** What is known of the files attached to tasks; their content is in the blob store. */
  readonly attachments: AttachmentRepository
  /** The change log: every task change's events, in order, for the live feed. */
  readonly events: EventLog
  /** Who is in which project's room of the live feed, on every instance. */
  readonly presence: PresenceRepository
  /**
   * Resolves when the database answers a query and would take a write (one
   * is tried and rolled back); rejects with StorageUnavailableError when it
   * is full, read-only or failing.
   */
  ping (): Promise<void>
  /**
   * Tells `listener` whenever new jobs were committed (by this process; on
   * PostgreSQL, by any process on the database), so that an idle worker here
   * need not wait for its next poll to take them. It may be told twice of one
   * commit, or of none (once listening to the others resumes after a loss).
   */
  onJobsEnqueued (listener: () => void): void
  /** Tells `listener` whenever new events were committed, as onJobsEnqueued does; answers how to stop telling it. */
  onEventsAppended (listener: () => void): () => void
  /** Tells `listener` whenever seats in the live feed's rooms were taken or given up, as onJobsEnqueued does; answers how to stop telling it. */
  onPresenceChanged (listener: () => void): () => void
  /** Closes the database; later calls do nothing. */
  close (): Promise<void>
}
