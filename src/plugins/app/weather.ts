import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { openMeteo, type OpenMeteoSettings } from '../../weather/open-meteo.js'
import { createWeatherService, type WeatherService, type WeatherSettings } from '../../weather/weather-service.js'

declare module 'fastify' {
  interface FastifyInstance {
    weather: WeatherService
  }
}

/**
 * The weather, from Open-Meteo through this instance's cache, as
 * `fastify.weather`. Each instance keeps its own cache: it costs the weather
 * service one call per place and hour per TTL per instance, and keeps the
 * one request path meant to stand when a service fails from depending on
 * another (Redis).
 */
async function weather (fastify: FastifyInstance, settings: OpenMeteoSettings & WeatherSettings) {
  fastify.decorate('weather', createWeatherService(openMeteo(settings), settings))
}

export default fp(weather, { name: 'weather' })
