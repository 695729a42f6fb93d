import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { principalOf } from '../../plugins/app/authentication.js'
import { ProblemError } from '../../problems/problem-error.js'
import { problemResponses, withProblems } from '../../problems/problem-responses.js'
import { TaskIdParams } from '../../schemas/task.js'
import { Ref } from '../../schemas/type-helpers.js'
import { Weather } from '../../schemas/weather.js'
import { sendWeather, weatherHeaders, weatherProblem } from '../weather/weather-reply.js'
import { taskNotFound } from './task-problems.js'

const HOUR_MS = 60 * 60 * 1000
const DAY_MS = 24 * HOUR_MS
// Open-Meteo's forecast endpoint reaches this far ahead and keeps this far back.
const FORECAST_DAYS = 16
const PAST_DAYS = 92

const getTaskWeather: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get('/:task_id/weather', {
    config: { access: 'tasks:read' },
    schema: {
      operationId: 'getTaskWeather',
      summary: 'Get the weather where and when a task happens',
      description: `The forecast at the task's location for the hour of its due time (its current weather when it has no due time), cached and guarded as GET /weather is. A task without a location is a 404 problem; a due time more than ${FORECAST_DAYS} days ahead or ${PAST_DAYS} days back, past what the weather service forecasts or keeps, a 422 problem.`,
      tags: ['Weather'],
      params: TaskIdParams,
      response: {
        200: Ref(Weather, { description: 'The weather at the task\'s location and due time.', headers: weatherHeaders }),
        ...withProblems(problemResponses('not-found', 'no-location', 'forecast-out-of-range', 'validation', 'rate-limited', 'weather-unavailable', 'weather-timeout'), ['weather-paused'], {
          'Retry-After': Type.String({ description: 'Seconds until the weather service is asked again.' })
        })
      }
    }
  }, async (request, reply) => {
    const id = request.params.task_id
    const task = await fastify.db.tasks.findById(principalOf(request), id)
    if (task === undefined) throw taskNotFound(id)
    if (task.location === null) throw new ProblemError('no-location', `Task ${id} has no location to tell the weather of; give it one (PATCH with \`location\`).`)
    const hour = task.due_at === null ? undefined : forecastHour(Date.parse(task.due_at))
    try {
      return sendWeather(reply, await fastify.weather.at(task.location, hour), task.location.name ?? null)
    } catch (error) {
      throw weatherProblem(error)
    }
  })
}

/** The hour a due time falls in, if the weather service has a forecast for it. */
function forecastHour (dueAt: number): number {
  const today = Math.floor(Date.now() / DAY_MS) * DAY_MS
  if (dueAt >= today + FORECAST_DAYS * DAY_MS || dueAt < today - PAST_DAYS * DAY_MS) {
    throw new ProblemError('forecast-out-of-range', `The task is due at ${new Date(dueAt).toISOString()}; the weather service forecasts the next ${FORECAST_DAYS} days and keeps the last ${PAST_DAYS}.`)
  }
  return Math.floor(dueAt / HOUR_MS) * HOUR_MS
}

export default getTaskWeather
