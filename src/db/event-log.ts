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

export interface EventReadRequest {
  /** Just after this event (its seq). */
  after: number
  /** Only the events of these projects' tasks (their slugs). */
  projects?: readonly string[] | undefined
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
  /** Forgets the events created before `before`, but the newest (it tells how far the log has gone); answers how many. */
  purgeBefore (before: number): Promise<number>
}
