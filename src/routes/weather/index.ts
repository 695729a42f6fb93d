import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import getWeather from './get-weather.js'

/** The weather: register with the prefix `/weather`. */
const weather: FastifyPluginAsyncTypebox = async (fastify) => {
  await fastify.register(getWeather)
}

export default weather
