import type { EventRead, LoggedEvent, SharedEvent, SharedRead } from '../db/event-log.js'
import type { LogTail, TailListener, TailRead } from './log-tail.js'

/** Events read from the log at a time: a feed far behind catches up page by page. */
export const READ_LIMIT = 100

export interface FollowOptions {
  /** Just after this event (its seq). */
  after: number
  /** Reads up to READ_LIMIT events after a seq, as the follower's reader may see them now: how a feed that is behind catches up. */
  read: (after: number) => Promise<EventRead>
  /** Whether the follower's reader gets an event the tail read (may see it, and follows its project). */
  admits: (event: SharedEvent, members: SharedRead['members']) => boolean
  /** This instance's tail of the log, which the follower joins once it has caught up. */
  tail: LogTail
  /** The newest event's seq: where a follower goes on from after a reset. */
  latest: () => Promise<number>
  /** Sends events, in order, exactly once; may wait (for a slow client, say). */
  deliver: (events: LoggedEvent[]) => Promise<void> | void
  /** The events after the cursor were forgotten (older than the retention): the reader must reload; the feed goes on from `latest`. */
  reset: (latest: number) => void
  /** Reading failed: the follower has stopped. */
  failed: (error: unknown) => void
}

export interface Following {
  /** Where the feed has delivered to: what it would resume after. */
  readonly cursor: number
  stop (): void
}

/**
 * Follows the change log from just after `after`, handing `deliver` its
 * reader's events in order, each once. Behind, it reads by itself (as its
 * reader may see the events) until it has caught up; then it follows the
 * instance's tail, taking its reader's events from each read the tail makes
 * for every feed. A tail read that comes while it is still delivering (a
 * slow client) sends it back to reading by itself, so nothing piles up in
 * memory for it. The feeds (server-sent events, WebSockets) differ only in
 * how they send.
 */
export function followLog (options: FollowOptions): Following {
  let cursor = options.after
  let stopped = false
  let delivering: Promise<void> | undefined

  const fail = (error: unknown) => {
    if (stopped) return
    following.stop()
    options.failed(error)
  }
  const deliver = (events: LoggedEvent[], through: number) => {
    delivering = (async () => {
      await options.deliver(events)
      cursor = Math.max(cursor, through)
      delivering = undefined
    })()
    return delivering
  }

  const listener: TailListener = {
    read (read: TailRead) {
      if (stopped) return
      if (delivering !== undefined || read.after > cursor) {
        options.tail.leave(listener)
        catchUp()
        return
      }
      const events = read.events.filter((event) => event.seq > cursor && options.admits(event, read.members))
      if (events.length === 0) cursor = Math.max(cursor, read.through)
      else deliver(events, read.through).catch(fail)
    },
    dropped (error?: unknown) {
      if (error === undefined) catchUp()
      else fail(error)
    }
  }

  const catchUp = () => {
    (async () => {
      await delivering
      while (!stopped) {
        const read = await options.read(cursor)
        if (stopped) return
        if (read.reset) {
          cursor = await options.latest()
          if (!stopped) options.reset(cursor)
          continue
        }
        if (read.events.length > 0) await deliver(read.events, read.through)
        else cursor = Math.max(cursor, read.through)
        if (read.events.length < READ_LIMIT && !stopped && options.tail.join(listener, cursor)) return
      }
    })().catch(fail)
  }
  catchUp()

  const following: Following = {
    get cursor () {
      return cursor
    },
    stop () {
      stopped = true
      options.tail.leave(listener)
    }
  }
  return following
}
