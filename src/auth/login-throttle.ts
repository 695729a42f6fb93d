import { LRUCache } from 'lru-cache'

export interface LoginThrottleOptions {
  /** Failed sign-ins allowed per username within the window. */
  maxPerUser: number
  /** Failed sign-ins allowed per client IP within the window. */
  maxPerIp: number
  windowMs: number
}

interface Failures {
  count: number
  /** When the window that started with the first failure ends, in ms since the epoch. */
  endsAt: number
}

// Guessing at many usernames or from many addresses fills the table; the
// least recently failed entries go first, so memory stays bounded.
const MAX_TRACKED = 100_000

/**
 * Slows password guessing: after too many failed sign-ins for one username,
 * or from one client IP, within a window, further sign-ins for it are
 * refused until the window ends, without checking the password. Counted in
 * this process.
 */
export class LoginThrottle {
  readonly #failures = new LRUCache<string, Failures>({ max: MAX_TRACKED })

  constructor (private readonly options: LoginThrottleOptions) {}

  /** Seconds until a sign-in for `username` from `ip` may be tried again; 0 when it may be tried now. */
  retryAfterSeconds (username: string, ip: string, now: number): number {
    const waits = [this.#wait(`user:${username}`, this.options.maxPerUser, now), this.#wait(`ip:${ip}`, this.options.maxPerIp, now)]
    return Math.ceil(Math.max(...waits) / 1000)
  }

  failed (username: string, ip: string, now: number): void {
    for (const key of [`user:${username}`, `ip:${ip}`]) {
      const current = this.#failures.get(key)
      if (current === undefined || current.endsAt <= now) this.#failures.set(key, { count: 1, endsAt: now + this.options.windowMs })
      else current.count++
    }
  }

  /** A correct password clears the username's failures (not the address's: it may be guessing at others). */
  succeeded (username: string): void {
    this.#failures.delete(`user:${username}`)
  }

  #wait (key: string, max: number, now: number): number {
    const current = this.#failures.get(key)
    return current !== undefined && current.count >= max && current.endsAt > now ? current.endsAt - now : 0
  }
}
