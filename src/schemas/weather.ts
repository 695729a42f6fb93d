import { Type, type Static } from '@sinclair/typebox'
import { Latitude, Longitude, LOCATION_NAME_MAX_LENGTH } from './task.js'
import { NO_NUL_OR_LONE_SURROGATE } from './text-patterns.js'
import { Timestamp } from './timestamp.js'
import { Nullable } from './type-helpers.js'

export const Weather = Type.Object({
  city_name: Nullable(Type.String(), { description: 'The name of the place, as asked (`city_name`) or as the task\'s location has it; null for none.' }),
  latitude: { ...Latitude, description: 'The latitude the weather is for: the one asked, rounded to 0.1°.' },
  longitude: { ...Longitude, description: 'The longitude the weather is for: the one asked, rounded to 0.1°.' },
  temperature: Type.Number({ description: 'Air temperature 2 m above ground, in °C.' }),
  windspeed: Type.Number({ description: 'Wind speed 10 m above ground, in km/h.' }),
  weathercode: Type.Integer({ description: 'WMO weather interpretation code: 0 clear sky, 1-3 mainly clear to overcast, 45/48 fog, 51-57 drizzle, 61-67 rain, 71-77 snow, 80-82 rain showers, 85/86 snow showers, 95-99 thunderstorm.' }),
  observed_at: { ...Timestamp, description: 'The time the weather is for: the weather service\'s latest reading (current weather), or the hour of the forecast.' },
  cached: Type.Boolean({ description: 'true: answered from this server\'s cache; false: read from the weather service for this request.' }),
  stale: Type.Boolean({ description: 'true: the weather service failed, and this is an older reading (at most WEATHER_STALE_MS old) than the cache would normally answer with.' })
}, { $id: 'Weather', title: 'Weather', additionalProperties: false })
export type Weather = Static<typeof Weather>

export const WeatherQuery = Type.Object({
  latitude: Latitude,
  longitude: Longitude,
  city_name: Type.Optional(Type.String({
    minLength: 1,
    maxLength: LOCATION_NAME_MAX_LENGTH,
    pattern: NO_NUL_OR_LONE_SURROGATE,
    description: 'A name for the place, given back as `city_name`.'
  }))
}, { additionalProperties: false })
export type WeatherQuery = Static<typeof WeatherQuery>
