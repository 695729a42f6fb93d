/** The longest wait between two attempts of a job. */
export const MAX_RETRY_DELAY_MS = 3_600_000

/**
 * How long a job waits after its `attempts`-th failed attempt: the base
 * doubled for each attempt before it, up to an hour, of which a random part
 * (up to half) is taken off, so that jobs that failed together (a receiver
 * that was down) do not all come back at the same moment.
 */
export function retryDelay (attempts: number, baseMs: number, random: () => number = Math.random): number {
  const delay = Math.min(MAX_RETRY_DELAY_MS, baseMs * 2 ** Math.max(0, attempts - 1))
  return Math.round(delay - delay / 2 * random())
}
