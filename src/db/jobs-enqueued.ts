/**
 * Who in this process is told that new jobs were committed (its worker, so
 * that it need not wait for its next poll): `enqueued` tells them.
 */
export function jobsEnqueuedSignal () {
  const listeners: Array<() => void> = []
  return {
    enqueued () {
      for (const listener of listeners) listener()
    },
    onEnqueued (listener: () => void) {
      listeners.push(listener)
    }
  }
}
