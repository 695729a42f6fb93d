import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { problemResponses, withProblems } from '../../problems/problem-responses.js'
import { Ref } from '../../schemas/type-helpers.js'
import { Weather, WeatherQuery } from '../../schemas/weather.js'
import { sendWeather, weatherHeaders, weatherProblem } from './weather-reply.js'

const getWeather: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get('/', {
    config: { access: 'tasks:read' },
    schema: {
      operationId: 'getWeather',
      summary: 'Get the current weather at a place',
      description: 'The current weather at a point, from Open-Meteo (WEATHER_API_URL) through this server\'s cache: readings are kept by point rounded to 0.1° for WEATHER_CACHE_TTL_MS (15 minutes), and `cached` says whether this one came from it. Many requests for one point at once make one call to the weather service. When the service is slow (WEATHER_TIMEOUT_MS) or failing, a reading up to WEATHER_STALE_MS (1 hour) old is answered with `stale: true`; without one the answer is a 504 or 502 problem, and after repeated failures a 503 at once, with Retry-After, until the service is tried again.',
      tags: ['Weather'],
      querystring: WeatherQuery,
      response: {
        200: Ref(Weather, { description: 'The weather at the point.', headers: weatherHeaders }),
        ...withProblems(problemResponses('validation', 'rate-limited', 'weather-unavailable', 'weather-timeout'), ['weather-paused'], {
          'Retry-After': Type.String({ description: 'Seconds until the weather service is asked again.' })
        })
      }
    }
  }, async (request, reply) => {
    const { latitude, longitude, city_name: cityName } = request.query
    try {
      return sendWeather(reply, await fastify.weather.at({ latitude, longitude }), cityName ?? null)
    } catch (error) {
      throw weatherProblem(error)
    }
  })
}

export default getWeather
