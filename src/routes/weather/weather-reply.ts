import { Type } from '@sinclair/typebox'
import type { FastifyReply } from 'fastify'
import { isoTimestamp } from '../../db/iso-timestamp.js'
import { ProblemError } from '../../problems/problem-error.js'
import type { Weather } from '../../schemas/weather.js'
import { WeatherTimeoutError, WeatherUpstreamError } from '../../weather/open-meteo.js'
import { WeatherCircuitOpenError, type WeatherAnswer } from '../../weather/weather-service.js'

/**
 * The weather as answered, its headers saying how fresh it is as HTTP caches
 * reckon it (RFC 9111): `Age`, the seconds since the weather service gave
 * it, and `Cache-Control: max-age`, its freshness lifetime (the cache's
 * TTL), so that it is fresh for max-age minus Age more seconds, and stale
 * once Age reaches max-age.
 */
export function sendWeather (reply: FastifyReply, answer: WeatherAnswer, cityName: string | null): Weather {
  reply.header('age', String(Math.floor(answer.ageMs / 1000)))
  reply.header('cache-control', `max-age=${Math.floor(answer.freshnessMs / 1000)}`)
  return {
    city_name: cityName,
    latitude: answer.point.latitude,
    longitude: answer.point.longitude,
    temperature: answer.reading.temperature,
    windspeed: answer.reading.windspeed,
    weathercode: answer.reading.weathercode,
    observed_at: isoTimestamp(answer.reading.time),
    cached: answer.cached,
    stale: answer.stale
  }
}

/** Why the weather service gave no weather, as a problem; anything else (a bug: a 500) is passed on as it is. */
export function weatherProblem (error: unknown): unknown {
  if (error instanceof WeatherTimeoutError) return new ProblemError('weather-timeout', `The weather service ${error.message}.`)
  if (error instanceof WeatherCircuitOpenError) {
    const seconds = Math.max(1, Math.ceil(error.retryAfterMs / 1000))
    return new ProblemError('weather-paused', `The weather service failed too often and is not being asked for now; try again in ${seconds} s.`, undefined, seconds)
  }
  return error instanceof WeatherUpstreamError ? new ProblemError('weather-unavailable', `The weather service ${error.message}.`) : error
}

/** The headers every weather answer carries. */
export const weatherHeaders = {
  Age: Type.String({ description: 'Seconds since the weather service gave this reading.' }),
  'Cache-Control': Type.String({ description: '`max-age=N`: the reading\'s freshness lifetime in seconds (WEATHER_CACHE_TTL_MS): fresh while Age is below it.' })
}
