import { Type, type Static } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'

/** A point on the globe, in degrees. */
export interface Point {
  latitude: number
  longitude: number
}

/** What the weather is (or will be) at a point, at a time. */
export interface Reading {
  /** °C */
  temperature: number
  /** km/h */
  windspeed: number
  /** WMO weather interpretation code. */
  weathercode: number
  /** The time the reading is for, in milliseconds since the epoch. */
  time: number
}

/** The weather service did not answer within the timeout. */
export class WeatherTimeoutError extends Error {
  override name = 'WeatherTimeoutError'
}

/** The weather service answered with an error, or with something that is not its weather (the message says which, after "The weather service"). */
export class WeatherUpstreamError extends Error {
  override name = 'WeatherUpstreamError'
}

// An answer is a few hundred bytes; one past this is not the weather.
const MAX_ANSWER_BYTES = 64 * 1024

const Number_ = Type.Number()
// Open-Meteo's times are ISO 8601 without seconds or zone, in the zone asked for (GMT).
const HourTime = Type.String({ pattern: '^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d$' })

/** Open-Meteo's forecast answer with `current_weather=true`: the fields read. */
const CurrentAnswer = Type.Object({
  current_weather: Type.Object({ time: HourTime, temperature: Number_, windspeed: Number_, weathercode: Type.Integer() })
})
/** Open-Meteo's forecast answer for one hour (`hourly=...&start_hour=&end_hour=`): the fields read. */
const HourlyAnswer = Type.Object({
  hourly: Type.Object({
    time: Type.Tuple([HourTime]),
    temperature_2m: Type.Tuple([Number_]),
    windspeed_10m: Type.Tuple([Number_]),
    weathercode: Type.Tuple([Type.Integer()])
  })
})

export interface OpenMeteoSettings {
  /** WEATHER_API_URL: the forecast endpoint. */
  url: string
  /** WEATHER_TIMEOUT_MS: the whole answer must arrive within this long. */
  timeoutMs: number
}

/**
 * Reads the weather from Open-Meteo's forecast API: the current weather at a
 * point, or the forecast for one hour (the hour starting at `hour`, in
 * milliseconds since the epoch). Throws WeatherTimeoutError when the whole
 * answer has not arrived within the timeout (the request is then aborted),
 * and WeatherUpstreamError for an error status, a connection that fails, or
 * an answer that is not the JSON the API documents.
 */
export function openMeteo ({ url, timeoutMs }: OpenMeteoSettings) {
  return async function read (point: Point, hour?: number): Promise<Reading> {
    const query = new URL(url)
    query.searchParams.set('latitude', String(point.latitude))
    query.searchParams.set('longitude', String(point.longitude))
    query.searchParams.set('timezone', 'GMT')
    if (hour === undefined) {
      query.searchParams.set('current_weather', 'true')
    } else {
      const time = new Date(hour).toISOString().slice(0, 16)
      query.searchParams.set('hourly', 'temperature_2m,windspeed_10m,weathercode')
      query.searchParams.set('start_hour', time)
      query.searchParams.set('end_hour', time)
    }
    const answer = await fetchJson(query, timeoutMs)
    if (hour === undefined) {
      if (!Value.Check(CurrentAnswer, answer)) throw new WeatherUpstreamError('answered without the current weather')
      const { time, temperature, windspeed, weathercode } = (answer as Static<typeof CurrentAnswer>).current_weather
      return { temperature, windspeed, weathercode, time: Date.parse(`${time}Z`) }
    }
    if (!Value.Check(HourlyAnswer, answer)) throw new WeatherUpstreamError('answered without a forecast for the hour')
    const { time: [time], temperature_2m: [temperature], windspeed_10m: [windspeed], weathercode: [weathercode] } = (answer as Static<typeof HourlyAnswer>).hourly
    return { temperature, windspeed, weathercode, time: Date.parse(`${time}Z`) }
  }
}

/** GETs a URL and parses its JSON, all within `timeoutMs`. */
async function fetchJson (url: URL, timeoutMs: number): Promise<unknown> {
  const signal = AbortSignal.timeout(timeoutMs)
  try {
    const response = await fetch(url, { signal, redirect: 'error', headers: { accept: 'application/json' } })
    const body = await readLimited(response)
    if (!response.ok) throw new WeatherUpstreamError(`answered ${response.status}`)
    try {
      return JSON.parse(body)
    } catch {
      throw new WeatherUpstreamError('answered with something that is not JSON')
    }
  } catch (error) {
    if (signal.aborted) throw new WeatherTimeoutError(`did not answer within ${timeoutMs} ms`)
    if (error instanceof WeatherUpstreamError) throw error
    throw new WeatherUpstreamError(`could not be reached (${(error as Error).message})`)
  }
}

/** The body as text, refused past MAX_ANSWER_BYTES. */
async function readLimited (response: Response): Promise<string> {
  const chunks: Uint8Array[] = []
  let length = 0
  for await (const chunk of response.body ?? []) {
    length += chunk.byteLength
    if (length > MAX_ANSWER_BYTES) throw new WeatherUpstreamError(`answered with more than ${MAX_ANSWER_BYTES} bytes`)
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}
