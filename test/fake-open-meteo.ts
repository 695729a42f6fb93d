import { once } from 'node:events'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { pathToFileURL } from 'node:url'

/**
 * How the fake answers: with the weather; with a 500; never (the connection
 * stays open, silent); with a body that is not JSON; with JSON that is not
 * the weather; with a megabyte of JSON; or with the weather after `delayMs`.
 */
export type FakeMode = 'ok' | 'error' | 'hang' | 'malformed' | 'wrong-shape' | 'huge' | 'slow'

export interface FakeOpenMeteo {
  /** The forecast endpoint, for WEATHER_API_URL. */
  url: string
  mode: FakeMode
  delayMs: number
  /** Every request's URL, in order. */
  requests: URL[]
  close: () => Promise<void>
}

/**
 * A local stand-in for Open-Meteo's forecast API (`/v1/forecast`), with its
 * JSON shape: the current weather (`current_weather=true`) or one hour's
 * forecast (`hourly=...&start_hour=&end_hour=`), made up from the point and
 * the time so that different places answer differently. Bad coordinates get
 * Open-Meteo's 400 `{"error": true, "reason": ...}`.
 */
export async function startFakeOpenMeteo (port = 0): Promise<FakeOpenMeteo> {
  const sockets = new Set<Socket>()
  const fake: FakeOpenMeteo = { url: '', mode: 'ok', delayMs: 0, requests: [], close: async () => {} }

  const server = createServer((request, response) => {
    const url = new URL(request.url as string, 'http://fake')
    fake.requests.push(url)
    if (fake.mode === 'hang') return
    if (fake.mode === 'slow') {
      setTimeout(() => answer(url, request, response, fake.mode), fake.delayMs)
      return
    }
    answer(url, request, response, fake.mode)
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  server.listen(port, '127.0.0.1')
  await once(server, 'listening')
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/forecast`
  fake.close = async () => {
    for (const socket of sockets) socket.destroy()
    server.close()
    await once(server, 'close')
  }
  return fake
}

function answer (url: URL, _request: IncomingMessage, response: ServerResponse, mode: FakeMode): void {
  if (response.destroyed) return
  if (mode === 'error') return send(response, 500, { error: true, reason: 'Internal error' })
  if (mode === 'malformed') {
    response.writeHead(200, { 'content-type': 'application/json' })
    response.end('{"latitude": 52.5, "current_weather": {')
    return
  }
  if (mode === 'huge') return send(response, 200, { padding: 'x'.repeat(1024 * 1024) })
  if (mode === 'wrong-shape') return send(response, 200, { latitude: 1, longitude: 2, current_weather: { temperature: 'warm' }, hourly: {} })
  if (url.pathname !== '/v1/forecast') return send(response, 404, { error: true, reason: 'Not found' })

  const latitude = Number(url.searchParams.get('latitude'))
  const longitude = Number(url.searchParams.get('longitude'))
  if (!(Math.abs(latitude) <= 90) || !(Math.abs(longitude) <= 180)) {
    return send(response, 400, { error: true, reason: 'Latitude must be in range of -90 to 90°. Given: ' + String(latitude) + '.' })
  }
  const made = (time: string) => {
    const hours = Date.parse(`${time}Z`) / 3_600_000
    return {
      temperature: Math.round((15 + latitude / 10 - longitude / 30 + 5 * Math.sin(hours / 4)) * 10) / 10,
      windspeed: Math.round((8 + Math.abs(longitude) / 20) * 10) / 10,
      weathercode: [0, 1, 2, 3, 45, 61, 71, 95][Math.abs(Math.round(latitude + longitude + hours)) % 8] as number
    }
  }
  const place = { latitude, longitude, generationtime_ms: 0.05, utc_offset_seconds: 0, timezone: 'GMT', timezone_abbreviation: 'GMT', elevation: 38 }
  if (url.searchParams.get('current_weather') === 'true') {
    // Readings every 15 minutes, as Open-Meteo's current weather has them.
    const time = new Date(Math.floor(Date.now() / 900_000) * 900_000).toISOString().slice(0, 16)
    return send(response, 200, {
      ...place,
      current_weather_units: { time: 'iso8601', interval: 'seconds', temperature: '°C', windspeed: 'km/h', winddirection: '°', is_day: '', weathercode: 'wmo code' },
      current_weather: { time, interval: 900, ...made(time), winddirection: 240, is_day: 1 }
    })
  }
  const start = url.searchParams.get('start_hour')
  if (start === null || start !== url.searchParams.get('end_hour')) return send(response, 400, { error: true, reason: 'start_hour and end_hour are required' })
  const { temperature, windspeed, weathercode } = made(start)
  return send(response, 200, {
    ...place,
    hourly_units: { time: 'iso8601', temperature_2m: '°C', windspeed_10m: 'km/h', weathercode: 'wmo code' },
    hourly: { time: [start], temperature_2m: [temperature], windspeed_10m: [windspeed], weathercode: [weathercode] }
  })
}

function send (response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' })
  response.end(JSON.stringify(body))
}

// Run directly (`npm run weather:fake`), it serves until stopped: point
// WEATHER_API_URL at it to try the weather without the internet.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const fake = await startFakeOpenMeteo(Number(process.env.PORT ?? 3999))
  console.log(`Fake Open-Meteo at ${fake.url} (stop it with Ctrl-C)`)
}
