import { BrokenCircuitError, circuitBreaker, ConsecutiveBreaker, handleAll } from 'cockatiel'
import { LRUCache } from 'lru-cache'
import type { Point, Reading } from './open-meteo.js'

export interface WeatherSettings {
  /** WEATHER_CACHE_TTL_MS: how long a reading is answered from the cache. */
  ttlMs: number
  /** WEATHER_STALE_MS: how old a reading may be and still be answered, marked stale, when the service fails. */
  staleMs: number
  /** WEATHER_CACHE_MAX: readings kept at most; the least recently used go first. */
  maxEntries: number
  /** WEATHER_CIRCUIT_FAILURES: failures in a row after which the service is not asked for a while. */
  circuitFailures: number
  /** WEATHER_CIRCUIT_OPEN_MS: how long the service is not asked once the circuit opens. */
  circuitOpenMs: number
}

/** A reading as answered: where from, and how old. */
export interface WeatherAnswer {
  /** The point the reading is for: the one asked about, rounded to 0.1°. */
  point: Point
  reading: Reading
  /** Answered from the cache (fresh, or stale) rather than by the service just now. */
  cached: boolean
  /** Older than the TTL: answered because the service failed. */
  stale: boolean
  /** How long ago the service gave the reading, in milliseconds. */
  ageMs: number
  /** How long a reading is fresh for from when the service gave it: the TTL, in milliseconds. */
  freshnessMs: number
}

/** The circuit is open: the service failed too often and is not being asked. */
export class WeatherCircuitOpenError extends Error {
  override name = 'WeatherCircuitOpenError'
  constructor (readonly retryAfterMs: number) {
    super(`the weather service failed too often and is asked again in ${Math.ceil(retryAfterMs / 1000)} s`)
  }
}

interface Entry {
  reading: Reading
  fetchedAt: number
}

/**
 * The weather, read through a cache. Readings are kept by point rounded to
 * 0.1° (about 11 km, finer than the service's grid) and hour, so that nearby
 * places and repeated requests share one reading; a reading is fresh for the
 * TTL, and kept until it is `staleMs` old (or pushed out by newer ones past
 * `maxEntries`). Concurrent requests for a reading the cache lacks make one
 * call to the service, and share its answer or its failure. When the service
 * fails, a reading up to `staleMs` old is answered instead, marked stale;
 * after `circuitFailures` failures in a row the service is not asked for
 * `circuitOpenMs` (then one request tries it again), and requests fail at
 * once with WeatherCircuitOpenError unless a stale reading answers them.
 */
export function createWeatherService (read: (point: Point, hour?: number) => Promise<Reading>, settings: WeatherSettings) {
  const readings = new LRUCache<string, Entry>({ max: settings.maxEntries, ttl: Math.max(settings.staleMs, settings.ttlMs) })
  const calls = new Map<string, Promise<Entry>>()
  const breaker = circuitBreaker(handleAll, { halfOpenAfter: settings.circuitOpenMs, breaker: new ConsecutiveBreaker(settings.circuitFailures) })
  let openedAt = 0
  breaker.onBreak(() => { openedAt = Date.now() })

  /** One call to the service for a key, shared by every request that needs it meanwhile. */
  const fetchOnce = (key: string, point: Point, hour: number | undefined): Promise<Entry> => {
    let call = calls.get(key)
    if (call === undefined) {
      call = breaker.execute(async () => ({ reading: await read(point, hour), fetchedAt: Date.now() }))
        .then((entry) => {
          readings.set(key, entry)
          return entry
        })
        .catch((error: unknown) => {
          throw error instanceof BrokenCircuitError ? new WeatherCircuitOpenError(Math.max(0, openedAt + settings.circuitOpenMs - Date.now())) : error
        })
        .finally(() => calls.delete(key))
      calls.set(key, call)
    }
    return call
  }

  const answer = (point: Point, { reading, fetchedAt }: Entry, cached: boolean): WeatherAnswer => {
    const ageMs = Math.max(0, Date.now() - fetchedAt)
    return { point, reading, cached, stale: ageMs >= settings.ttlMs, ageMs, freshnessMs: settings.ttlMs }
  }

  return {
    /** The weather at a point: now, or in the hour starting at `hour` (ms since the epoch, on the hour). */
    async at (asked: Point, hour?: number): Promise<WeatherAnswer> {
      const point = { latitude: roundToTenth(asked.latitude), longitude: roundToTenth(asked.longitude) }
      const key = `${point.latitude},${point.longitude}${hour === undefined ? '' : `@${hour}`}`
      const kept = readings.get(key)
      if (kept !== undefined && Date.now() - kept.fetchedAt < settings.ttlMs) return answer(point, kept, true)
      try {
        return answer(point, await fetchOnce(key, point, hour), false)
      } catch (error) {
        if (kept !== undefined && Date.now() - kept.fetchedAt < settings.staleMs) return answer(point, kept, true)
        throw error
      }
    }
  }
}

export type WeatherService = ReturnType<typeof createWeatherService>

/** Rounded to 0.1°, without a negative zero. */
function roundToTenth (degrees: number): number {
  return Math.round(degrees * 10) / 10 + 0
}
