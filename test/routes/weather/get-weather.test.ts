import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import { administratorToken, bearer, build, buildWithFakeWeather, createUser, freePort, signIn } from '../../helper.js'

type App = Awaited<ReturnType<typeof build>>

function weather (app: App, query: string, headers: Record<string, string> = {}) {
  return app.inject({ method: 'GET', url: `/weather?${query}`, headers })
}

const BERLIN = 'latitude=52.52&longitude=13.405'

t.test('the first answer comes from the weather service, the repeat from the cache, and again from the service after the TTL', async (t) => {
  const { app, fake } = await buildWithFakeWeather(t, { WEATHER_CACHE_TTL_MS: '1500' })
  const first = await weather(app, `${BERLIN}&city_name=Berlin`)
  t.equal(first.statusCode, 200, first.body)
  t.match(first.json(), {
    city_name: 'Berlin', latitude: 52.5, longitude: 13.4, temperature: Number, windspeed: Number, weathercode: Number, cached: false, stale: false
  })
  t.match(first.json().observed_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:00\.000Z$/, 'the reading\'s time, in UTC')
  t.equal(first.headers.age, '0')
  t.equal(first.headers['cache-control'], 'max-age=1')
  t.equal(fake.requests.length, 1)
  t.match(Object.fromEntries(fake.requests[0]?.searchParams ?? []), { latitude: '52.5', longitude: '13.4', current_weather: 'true' }, 'the service is asked about the rounded point')

  const again = await weather(app, BERLIN)
  t.match(again.json(), { cached: true, stale: false, city_name: null, temperature: first.json().temperature })
  t.equal(fake.requests.length, 1, 'no second call to the service')

  const nearby = await weather(app, 'latitude=52.46&longitude=13.36')
  t.match(nearby.json(), { cached: true, latitude: 52.5, longitude: 13.4 }, 'a point rounding to the same 0.1° shares the reading')
  t.equal(fake.requests.length, 1)
  const elsewhere = await weather(app, 'latitude=-33.87&longitude=151.21')
  t.match(elsewhere.json(), { cached: false, latitude: -33.9, longitude: 151.2 })
  t.equal(fake.requests.length, 2)

  await sleep(1600)
  const later = await weather(app, BERLIN)
  t.match(later.json(), { cached: false, stale: false }, 'past the TTL the service is asked again')
  t.equal(fake.requests.length, 3)
})

t.test('Age and Cache-Control follow the reading as it ages', async (t) => {
  const { app } = await buildWithFakeWeather(t, { WEATHER_CACHE_TTL_MS: '5000' })
  t.equal((await weather(app, BERLIN)).headers['cache-control'], 'max-age=5', 'max-age is the freshness lifetime')
  await sleep(1100)
  const aged = await weather(app, BERLIN)
  t.ok(Number(aged.headers.age) >= 1 && Number(aged.headers.age) < 5, `Age counts the seconds since (${String(aged.headers.age)})`)
  t.equal(aged.headers['cache-control'], 'max-age=5', 'and stays it: a cache reckons max-age minus Age')
})

t.test('100 concurrent requests for a point not cached make one call to the weather service', async (t) => {
  const { app, fake } = await buildWithFakeWeather(t, { WEATHER_TIMEOUT_MS: '2000' })
  fake.mode = 'slow'
  fake.delayMs = 1000
  const answers = await Promise.all(Array.from({ length: 100 }, () => weather(app, BERLIN)))
  t.same(new Set(answers.map((answer) => answer.statusCode)), new Set([200]))
  t.equal(fake.requests.length, 1)
  t.same(new Set(answers.map((answer) => answer.json().temperature)).size, 1, 'all share its reading')
  t.ok(answers.every((answer) => answer.json().cached === false), 'none of them came from the cache')

  // A failure is shared the same way (a silent service: every request is
  // surely waiting on the one call when it times out).
  fake.mode = 'hang'
  const failures = await Promise.all(Array.from({ length: 20 }, () => weather(app, 'latitude=10&longitude=10')))
  t.same(new Set(failures.map((answer) => answer.statusCode)), new Set([504]))
  t.equal(fake.requests.length, 2)
})

t.test('a failing weather service is a 502 problem, a silent one a 504 within the timeout', async (t) => {
  const { app, fake } = await buildWithFakeWeather(t, { WEATHER_TIMEOUT_MS: '400', WEATHER_CIRCUIT_FAILURES: '100' })
  for (const [mode, status, kind] of [
    ['error', 502, 'weather-unavailable'],
    ['malformed', 502, 'weather-unavailable'],
    ['wrong-shape', 502, 'weather-unavailable'],
    ['huge', 502, 'weather-unavailable'],
    ['hang', 504, 'weather-timeout']
  ] as const) {
    fake.mode = mode
    const started = Date.now()
    const answer = await weather(app, `latitude=1&longitude=${status === 504 ? 2 : mode.length}`)
    const took = Date.now() - started
    t.equal(answer.statusCode, status, `${mode}: ${answer.body}`)
    t.match(answer.headers['content-type'], /^application\/problem\+json/)
    t.match(answer.json(), { type: `https://example.com/errors/${kind}`, status })
    if (mode === 'hang') t.ok(took >= 400 && took < 5000, `the hung request ended at the timeout (${took} ms)`)
  }

  fake.mode = 'slow'
  fake.delayMs = 1000
  t.equal((await weather(app, 'latitude=3&longitude=3')).statusCode, 504, 'an answer later than the timeout is a timeout too')

  fake.mode = 'ok'
  t.equal((await weather(app, 'latitude=4&longitude=4')).statusCode, 200, 'and the next answer in time is the weather')
})

t.test('a weather service nobody answers at is a 502 problem', async (t) => {
  const app = await build(t, { WEATHER_API_URL: `http://127.0.0.1:${await freePort()}/v1/forecast` })
  const answer = await weather(app, BERLIN)
  t.equal(answer.statusCode, 502)
  t.match(answer.json().detail, /could not be reached/)
})

t.test('while the weather service fails, a reading up to WEATHER_STALE_MS old is answered, marked stale', async (t) => {
  const { app, fake } = await buildWithFakeWeather(t, { WEATHER_CACHE_TTL_MS: '200', WEATHER_STALE_MS: '1500', WEATHER_TIMEOUT_MS: '300', WEATHER_CIRCUIT_FAILURES: '100' })
  const fresh = (await weather(app, BERLIN)).json()
  await sleep(300)
  for (const mode of ['error', 'hang', 'malformed'] as const) {
    fake.mode = mode
    const stale = await weather(app, BERLIN)
    t.equal(stale.statusCode, 200, `${mode}: ${stale.body}`)
    t.match(stale.json(), { cached: true, stale: true, temperature: fresh.temperature, observed_at: fresh.observed_at })
    t.ok(Number(stale.headers.age) >= Number(/max-age=(\d+)/.exec(String(stale.headers['cache-control']))?.[1]), 'Age past max-age: no longer fresh')
  }
  await sleep(1300)
  fake.mode = 'error'
  t.equal((await weather(app, BERLIN)).statusCode, 502, 'past WEATHER_STALE_MS there is nothing to answer with')

  fake.mode = 'ok'
  t.match((await weather(app, BERLIN)).json(), { cached: false, stale: false }, 'the service back, it answers again')
})

t.test('after repeated failures the circuit opens: answers come at once, then the service is tried again', async (t) => {
  const { app, fake } = await buildWithFakeWeather(t, { WEATHER_CIRCUIT_FAILURES: '3', WEATHER_CIRCUIT_OPEN_MS: '1000', WEATHER_CACHE_TTL_MS: '100' })
  t.equal((await weather(app, 'latitude=60&longitude=10')).statusCode, 200)
  fake.mode = 'error'
  for (let failure = 0; failure < 3; failure++) t.equal((await weather(app, `latitude=${failure}&longitude=0`)).statusCode, 502)
  const calls = fake.requests.length

  const paused = await weather(app, 'latitude=50&longitude=0')
  t.equal(paused.statusCode, 503, paused.body)
  t.match(paused.json(), { type: 'https://example.com/errors/weather-paused' })
  t.ok(Number(paused.headers['retry-after']) >= 1, 'Retry-After says when it is tried again')
  await sleep(150)
  t.match((await weather(app, 'latitude=60&longitude=10')).json(), { stale: true }, 'a stale reading still answers while it is open')
  t.equal(fake.requests.length, calls, 'the service is not asked while the circuit is open')

  await sleep(1000)
  fake.mode = 'ok'
  t.match((await weather(app, 'latitude=50&longitude=0')).json(), { cached: false }, 'after the pause one request tries it, and it works again')
  t.equal(fake.requests.length, calls + 1)
  t.equal((await weather(app, 'latitude=51&longitude=0')).statusCode, 200, 'closed again')
})

t.test('bad coordinates are 422 problems naming the parameter, and the weather service is not asked', async (t) => {
  const { app, fake } = await buildWithFakeWeather(t)
  for (const [query, parameter] of [
    ['latitude=90.01&longitude=0', 'latitude'],
    ['latitude=-91&longitude=0', 'latitude'],
    ['latitude=0&longitude=180.5', 'longitude'],
    ['latitude=0&longitude=-181', 'longitude'],
    ['latitude=NaN&longitude=0', 'latitude'],
    ['latitude=0&longitude=NaN', 'longitude'],
    ['latitude=1e400&longitude=0', 'latitude'],
    ['latitude=0&longitude=-1e400', 'longitude'],
    ['latitude=Infinity&longitude=0', 'latitude'],
    ['latitude=north&longitude=0', 'latitude'],
    ['latitude=&longitude=0', 'latitude'],
    ['longitude=0', 'latitude'],
    ['latitude=0', 'longitude'],
    ['latitude=0&longitude=0&city_name=', 'city_name'],
    [`latitude=0&longitude=0&city_name=${'x'.repeat(201)}`, 'city_name'],
    ['latitude=0&longitude=0&zoom=3', 'zoom']
  ] as Array<[string, string]>) {
    const answer = await weather(app, query)
    t.equal(answer.statusCode, 422, query)
    t.ok(answer.json().errors?.some((error: { parameter?: string }) => error.parameter === parameter), `${query} names ${parameter}: ${answer.body}`)
  }
  t.equal(fake.requests.length, 0)
  t.equal((await weather(app, 'latitude=-90&longitude=180')).statusCode, 200, 'the bounds themselves are places')
})

t.test('with AUTH=on the weather needs a token with tasks:read', async (t) => {
  const { app } = await buildWithFakeWeather(t, { AUTH: 'on' })
  t.equal((await weather(app, BERLIN)).statusCode, 401)
  const root = await administratorToken(app)
  for (const username of ['reader', 'planner']) await createUser(app, username, {}, root)
  const reader = (await signIn(app, 'reader', { scope: 'tasks:read' })).access_token
  t.equal((await weather(app, BERLIN, bearer(reader))).statusCode, 200)
  const projectsOnly = (await signIn(app, 'planner', { scope: 'projects:read' })).access_token
  t.equal((await weather(app, BERLIN, bearer(projectsOnly))).statusCode, 403)
})
