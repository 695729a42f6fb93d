import type { Redis } from 'ioredis'
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

// Before each counter's name in Redis, so the counters are told apart from
// anything else kept in the same Redis.
const REDIS_KEY_PREFIX = 'task-api:login-failures:'

/**
 * Slows password guessing: after too many failed sign-ins for one username,
 * or from one client IP, within a window, further sign-ins for it are
 * refused until the window ends, without checking the password.
 *
 * Failures are counted in this process and, with a Redis, in Redis too,
 * where every instance counts them together; the larger count decides. While
 * Redis cannot be reached (or takes too long to answer), this process's own
 * count still holds: a guesser gets at most one budget per instance, never an
 * unlimited one.
 */
export class LoginThrottle {
  readonly #failures = new LRUCache<string, Failures>({ max: MAX_TRACKED })

  constructor (private readonly options: LoginThrottleOptions, private readonly redis: Redis | null = null) {}

  /** Seconds until a sign-in for `username` from `ip` may be tried again; 0 when it may be tried now. */
  async retryAfterSeconds (username: string, ip: string, now: number): Promise<number> {
    const counters = this.#counters(username, ip)
    const waits = counters.map(({ key, max }) => {
      const current = this.#failures.get(key)
      return current !== undefined && current.count >= max && current.endsAt > now ? current.endsAt - now : 0
    })
    return Math.ceil(Math.max(...waits, ...await this.#sharedWaits(counters)) / 1000)
  }

  async failed (username: string, ip: string, now: number): Promise<void> {
    const counters = this.#counters(username, ip)
    for (const { key } of counters) {
      const current = this.#failures.get(key)
      if (current === undefined || current.endsAt <= now) this.#failures.set(key, { count: 1, endsAt: now + this.options.windowMs })
      else current.count++
    }
    if (this.redis === null) return
    // A counter starts at 0 with the window's expiry when there is none, then counts: both at once.
    const transaction = this.redis.multi()
    for (const { key } of counters) {
      transaction.set(REDIS_KEY_PREFIX + key, 0, 'PX', this.options.windowMs, 'NX').incr(REDIS_KEY_PREFIX + key)
    }
    // Not counted in Redis while it cannot be reached: this process's count stands.
    await transaction.exec().catch(() => {})
  }

  /** A correct password clears the username's failures (not the address's: it may be guessing at others). */
  async succeeded (username: string): Promise<void> {
    this.#failures.delete(`user:${username}`)
    await this.redis?.del(`${REDIS_KEY_PREFIX}user:${username}`).catch(() => {})
  }

  #counters (username: string, ip: string) {
    return [{ key: `user:${username}`, max: this.options.maxPerUser }, { key: `ip:${ip}`, max: this.options.maxPerIp }]
  }

  /** How long each counter in Redis still refuses, in ms (none while Redis cannot be reached). */
  async #sharedWaits (counters: Array<{ key: string, max: number }>): Promise<number[]> {
    if (this.redis === null) return []
    const reads = this.redis.pipeline()
    for (const { key } of counters) reads.get(REDIS_KEY_PREFIX + key).pttl(REDIS_KEY_PREFIX + key)
    // A pipeline answers each command's error in its results (a timeout, a
    // connection down) rather than failing as a whole.
    const results = await reads.exec()
    if (results === null || results.some(([error]) => error !== null)) return []
    return counters.map(({ max }, index) => {
      const count = Number(results[2 * index]?.[1] ?? 0)
      const ttl = Number(results[2 * index + 1]?.[1])
      return count >= max && ttl > 0 ? ttl : 0
    })
  }
}
