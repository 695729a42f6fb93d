import t from 'tap'
import { administratorToken, bearer, build, buildWithFakeWeather, createTask, createUser, signIn } from '../../helper.js'

type App = Awaited<ReturnType<typeof build>>

const HOUR = 3_600_000
const DAY = 24 * HOUR
const LISBON = { name: 'Lisbon team', latitude: 38.7223, longitude: -9.1393 }

function taskWeather (app: App, id: number, headers: Record<string, string> = {}) {
  return app.inject({ method: 'GET', url: `/tasks/${id}/weather`, headers })
}

t.test('a task with a place and no due time gets the current weather there, named after the place', async (t) => {
  const { app, fake } = await buildWithFakeWeather(t)
  const task = await createTask(app, { title: 'Visit', location: LISBON })
  const answer = await taskWeather(app, task.id)
  t.equal(answer.statusCode, 200, answer.body)
  t.match(answer.json(), { city_name: 'Lisbon team', latitude: 38.7, longitude: -9.1, cached: false, stale: false })
  t.match(Object.fromEntries(fake.requests[0]?.searchParams ?? []), { current_weather: 'true', latitude: '38.7', longitude: '-9.1' })
  t.match(answer.headers['cache-control'], /^max-age=\d+$/)

  t.match((await app.inject({ method: 'GET', url: '/weather?latitude=38.72&longitude=-9.14' })).json(), { cached: true, city_name: null },
    'GET /weather at the same point shares the reading')
})

t.test('a task due within the forecast gets the forecast for the hour it is due', async (t) => {
  const { app, fake } = await buildWithFakeWeather(t)
  const due = Math.floor(Date.now() / HOUR) * HOUR + 2 * DAY + 37 * 60_000
  const task = await createTask(app, { title: 'Delivery', due_at: new Date(due).toISOString(), location: { latitude: -33.87, longitude: 151.21 } })
  const answer = await taskWeather(app, task.id)
  t.equal(answer.statusCode, 200, answer.body)
  const hour = new Date(due - 37 * 60_000).toISOString()
  t.match(answer.json(), { city_name: null, observed_at: hour, cached: false })
  t.match(Object.fromEntries(fake.requests[0]?.searchParams ?? []), { start_hour: hour.slice(0, 16), end_hour: hour.slice(0, 16), latitude: '-33.9', longitude: '151.2' })
  t.notOk(fake.requests[0]?.searchParams.has('current_weather'))

  t.match((await taskWeather(app, task.id)).json(), { cached: true })
  const sameHour = await createTask(app, { title: 'Pick-up', due_at: new Date(due - 30 * 60_000).toISOString(), location: { latitude: -33.9, longitude: 151.2 } })
  t.match((await taskWeather(app, sameHour.id)).json(), { cached: true, observed_at: hour }, 'another task due in that hour nearby shares it')
  const nextHour = await createTask(app, { title: 'Return', due_at: new Date(due + HOUR).toISOString(), location: { latitude: -33.9, longitude: 151.2 } })
  t.match((await taskWeather(app, nextHour.id)).json(), { cached: false }, 'the next hour is another forecast')
  t.equal(fake.requests.length, 2)

  const overdue = await createTask(app, { title: 'Yesterday', due_at: new Date(Date.now() - DAY).toISOString(), location: LISBON })
  t.equal((await taskWeather(app, overdue.id)).statusCode, 200, 'a due time in the last days has its weather too')
})

t.test('a task without a place, a due time past the forecast, or a task not there are problems, and the service is not asked', async (t) => {
  const { app, fake } = await buildWithFakeWeather(t)
  const nowhere = await createTask(app, { title: 'Anywhere' })
  const noPlace = await taskWeather(app, nowhere.id)
  t.equal(noPlace.statusCode, 404)
  t.match(noPlace.json(), { type: 'https://example.com/errors/no-location' })

  for (const due of [Date.now() + 17 * DAY, Date.now() - 93 * DAY, Date.parse('2090-01-01T00:00:00Z')]) {
    const task = await createTask(app, { title: 'Far off', due_at: new Date(due).toISOString(), location: LISBON })
    const answer = await taskWeather(app, task.id)
    t.equal(answer.statusCode, 422, new Date(due).toISOString())
    t.match(answer.json(), { type: 'https://example.com/errors/forecast-out-of-range', detail: /forecasts the next 16 days/ })
  }

  t.equal((await taskWeather(app, 999_999)).statusCode, 404)
  const deleted = await createTask(app, { title: 'Gone', location: LISBON })
  await app.inject({ method: 'DELETE', url: `/tasks/${deleted.id}` })
  t.match((await taskWeather(app, deleted.id)).json(), { status: 404, type: 'https://example.com/errors/not-found' })
  t.equal((await app.inject({ method: 'GET', url: '/tasks/0/weather' })).statusCode, 422, 'a bad id names task_id')
  t.equal(fake.requests.length, 0)

  fake.mode = 'error'
  const placed = await createTask(app, { title: 'Placed', location: LISBON })
  t.equal((await taskWeather(app, placed.id)).statusCode, 502, 'a failing service is a 502 here too')
})

t.test('with AUTH=on, only those who can see the task get its weather', async (t) => {
  const { app } = await buildWithFakeWeather(t, { AUTH: 'on' })
  const root = await administratorToken(app)
  for (const username of ['owner', 'stranger']) await createUser(app, username, {}, root)
  const owner = (await signIn(app, 'owner')).access_token
  const stranger = (await signIn(app, 'stranger')).access_token
  const created = await app.inject({ method: 'POST', url: '/tasks', headers: bearer(owner), payload: { title: 'Mine', location: LISBON } })
  const id = created.json().id as number
  t.equal((await taskWeather(app, id, bearer(owner))).statusCode, 200)
  t.equal((await taskWeather(app, id, bearer(stranger))).statusCode, 404, 'another user\'s task is not there for them')
  t.equal((await taskWeather(app, id)).statusCode, 401)
})
