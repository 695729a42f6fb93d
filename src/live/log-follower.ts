import type { EventRead, LoggedEvent } from '../db/event-log.js'

/** Events read from the log at a time: a feed far behind catches up page by page. */
export const READ_LIMIT = 100

export interface FollowOptions {
  /** Just after this event (its seq). */
  after: number
  /** Reads up to READ_LIMIT events after a seq, as the follower's reader may see them now. */
  read: (after: number) => Promise<EventRead>
  /** The newest event's seq: where a follower goes on from after a reset. */
  latest: () => Promise<number>
  /** Tells the listener whenever this process (or another, where the database tells) has committed events; answers how to stop. */
  onAppended: (listener: () => void) => () => void
  /** How long to wait for a wake-up before reading again anyway (other processes' commits). */
  pollIntervalMs: number
  /** Sends events, in order, exactly once; may wait (for a slow client, say) before the next read. */
  deliver: (events: LoggedEvent[]) => Promise<void> | void
  /** The events after the cursor were forgotten (older than the retention): the reader must reload; the feed goes on from `latest`. */
  reset: (latest: number) => void
  /** Reading failed: the follower has stopped. */
  failed: (error: unknown) => void
}

export interface Following {
  /** Where the feed has read to: what it would resume after. */
  readonly cursor: number
  stop (): void
}

/**
 * Follows the change log from just after `after`: reads what is new when
 * the database says events were committed (or every `pollIntervalMs`), and
 * hands it to `deliver` in order, each event once. The feeds (server-sent
 * events, WebSockets) differ only in how they send.
 */
export function followLog (options: FollowOptions): Following {
  let cursor = options.after
  let stopped = false
  let wake: (() => void) | undefined
  // Events were committed since the last read began: read again at once.
  let appended = false
  const stopListening = options.onAppended(() => {
    appended = true
    wake?.()
  })

  const nextWake = () => new Promise<void>((resolve) => {
    if (appended) {
      resolve()
      return
    }
    const timer = setTimeout(woken, options.pollIntervalMs)
    function woken () {
      clearTimeout(timer)
      wake = undefined
      resolve()
    }
    wake = woken
  })

  const follow = async () => {
    while (!stopped) {
      appended = false
      const read = await options.read(cursor)
      if (stopped) return
      if (read.reset) {
        cursor = await options.latest()
        if (!stopped) options.reset(cursor)
        continue
      }
      if (read.events.length > 0) await options.deliver(read.events)
      cursor = read.through
      if (read.events.length < READ_LIMIT) await nextWake()
    }
  }
  follow().catch((error: unknown) => {
    following.stop()
    options.failed(error)
  })

  const following: Following = {
    get cursor () {
      return cursor
    },
    stop () {
      if (stopped) return
      stopped = true
      stopListening()
      wake?.()
    }
  }
  return following
}
