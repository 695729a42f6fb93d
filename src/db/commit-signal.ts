/**
 * Who in this process is told that something was committed (new jobs, for
 * its worker; new events, for its live feeds), so that they need not wait
 * for their next poll: `notify` tells every listener.
 */
export function commitSignal () {
  const listeners = new Set<() => void>()
  return {
    notify () {
      for (const listener of listeners) listener()
    },
    /** Adds a listener; answers how to remove it. */
    listen (listener: () => void): () => void {
      listeners.add(listener)
      return () => listeners.delete(listener)
    }
  }
}
