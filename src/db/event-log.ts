import type { FeedEvent } from '../schemas/event.js'
import type { Viewer } from './viewer.js'

/** An event of the change log: its place in the order, its type, and the JSON sent (`{type, timestamp, data}`). */
export interface LoggedEvent {
  seq: number
  type: FeedEvent
  body: string
}

export interface EventRead {
  /** The events after the one asked for, oldest first. */
  events: LoggedEvent[]
  /**
   * How far the log was read: the next read may start after it. Past the
   * last event returned when no more were there (events the viewer may not
   * see are not read again).
   */
  through: number
  /** Events after the one asked for were forgotten (older than EVENT_RETENTION_MS): the reader must reload. */
  reset: boolean
}

/** An event with what decides who may read it, for one reader that serves many (see readWithReaders). */
export interface SharedEvent extends LoggedEvent {
  /** Its task's project as of the change (null: none). */
  projectId: number | null
  /** Its task's creator. */
  createdBy: number
}

export interface SharedRead extends EventRead {
  events: SharedEvent[]
  /** The members (user ids) of each project (by id) that an event of the read belongs to, as of the read. */
  members: ReadonlyMap<number, ReadonlySet<number>>
}

/** Whether `viewer` may read `event` by the log's rule (as `read` decides in the database), given its project's members. */
export function mayRead (viewer: Viewer, event: SharedEvent, members: SharedRead['members']): boolean {
  if (viewer.admin) return true
  if (event.projectId === null) return event.createdBy === viewer.userId
  return members.get(event.projectId)?.has(viewer.userId) === true
}

/** The projects the events belong to (for readWithReaders: whose members to read). */
export function projectIdsOf (events: readonly SharedEvent[]): number[] {
  return [...new Set(events.flatMap(({ projectId }) => projectId === null ? [] : [projectId]))]
}

export interface EventReadRequest {
  /** Just after this event (its seq). */
  after: number
  /** Only the events of these projects' tasks (their ids, which stay through a rename). */
  projectIds?: readonly number[] | undefined
  limit: number
}

/**
 * The change log: every task change appends its events (see the outbox),
 * and every new comment its own (see the comment repository), in the order
 * they committed, numbered by `seq` (a reader that has seen one event has
 * seen every one committed before it). Readers see only the events of tasks
 * they may see now (a member removed from a project reads none of its
 * events from then on).
 */
export interface EventLog {
  /** The newest event's seq, or 0 when there is none. */
  latest (): Promise<number>
  read (viewer: Viewer, request: EventReadRequest): Promise<EventRead>
  /**
   * Reads the events after `after` whoever may read them, with what decides
   * who may (see mayRead), in one snapshot: one read for every live feed of
   * an instance, sorted out in memory.
   */
  readWithReaders (request: Omit<EventReadRequest, 'projectIds'>): Promise<SharedRead>
  /** Forgets the events created before `before`, but the newest (it tells how far the log has gone); answers how many. */
  purgeBefore (before: number): Promise<number>
}
