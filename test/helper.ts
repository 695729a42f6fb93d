import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { createHmac } from 'node:crypto'
import { once } from 'node:events'
import { createServer, type AddressInfo } from 'node:net'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Test } from 'tap'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { hashPassword } from '../src/auth/passwords.js'
import { ON_POSTGRES, postgresTestUrl } from './postgres.js'
import { startFakeOpenMeteo, type FakeOpenMeteo } from './fake-open-meteo.js'

export const ROOT = fileURLToPath(new URL('..', import.meta.url))

/**
 * Settings for tests: an in-memory database, quiet logs, no rate limit, and
 * a weather service where nothing listens (a test never reaches the
 * internet; those about the weather start a fake Open-Meteo of their own).
 */
export const TEST_ENV = { DATABASE_URL: ':memory:', LOG_LEVEL: 'silent', RATE_LIMIT_MAX: '0', WEATHER_API_URL: 'http://127.0.0.1:9/v1/forecast' }

/**
 * Builds the app exactly as the server does, from settings read the way the
 * server reads them, and closes it when the test ends. Its database is a new
 * one in memory, or, when the suite runs on PostgreSQL (TEST_DATABASE=postgres),
 * a new schema of its own; a test that names a DATABASE_URL gets that one.
 * Its uploads go to a new temporary directory, unless it names UPLOADS_DIR.
 */
export async function build (t: Test, env: Record<string, string> = {}) {
  const database = ON_POSTGRES && env.DATABASE_URL === undefined ? { DATABASE_URL: await postgresTestUrl(t) } : {}
  const uploads = env.UPLOADS_DIR === undefined ? { UPLOADS_DIR: temporaryDirectory(t) } : {}
  const app = await buildApp(loadConfig({ ...TEST_ENV, ...database, ...uploads, ...env }))
  t.teardown(() => app.close())
  await app.ready()
  return app
}

/** The app built as build() builds it, reading the weather from a fake Open-Meteo started for the test. */
export async function buildWithFakeWeather (t: Test, env: Record<string, string> = {}): Promise<{ app: App, fake: FakeOpenMeteo }> {
  const fake = await startFakeOpenMeteo()
  t.teardown(() => fake.close())
  const app = await build(t, { WEATHER_API_URL: fake.url, ...env })
  return { app, fake }
}

/** A port on this machine where nothing listens right now. */
export async function freePort (): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  server.close()
  await once(server, 'close')
  return port
}

/** A temporary directory removed when the test ends. */
export function temporaryDirectory (t: Test): string {
  const directory = mkdtempSync(join(tmpdir(), 'task-api-test-'))
  t.teardown(() => rmSync(directory, { recursive: true, force: true }))
  return directory
}

// A child runs TypeScript source with the TypeScript loader tap gave this
// test; c8 collects its coverage through the NODE_V8_COVERAGE it inherits.
const TYPESCRIPT_LOADER = process.execArgv.filter((arg) => arg.includes('@tapjs/typescript') || arg === '--enable-source-maps')

/** Starts a script of src/ with `args` and gathers what it writes to stdout and stderr. */
function spawnSource (script: string, env: Record<string, string>, args: readonly string[] = []): { child: ChildProcessWithoutNullStreams, output: () => string } {
  const child = spawn(process.execPath, [...TYPESCRIPT_LOADER, join(ROOT, script), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env }
  })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
  return { child, output: () => output }
}

export interface RunningProcess {
  process: ChildProcessWithoutNullStreams
  /** Everything the process wrote to stdout and stderr so far. */
  output: () => string
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>
  /** Sends SIGTERM and resolves with the exit code. */
  stop: () => Promise<number | null>
}

export interface RunningServer extends RunningProcess {
  url: string
}

/**
 * Starts a script of src/ as its own process, killed when the test ends, and
 * resolves once `ready` finds what it waits for in the process's output
 * (rejecting if the process exits first, with what it wrote).
 */
async function startSource<T> (t: Test, script: string, env: Record<string, string>, ready: (output: string) => T | undefined): Promise<RunningProcess & { ready: T }> {
  const { child, output } = spawnSource(script, env)
  const exited = once(child, 'exit').then(([code]) => code as number | null)
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  const found = await new Promise<T>((resolve, reject) => {
    const onData = () => {
      const value = ready(output())
      if (value === undefined) return
      child.stdout.off('data', onData)
      resolve(value)
    }
    child.stdout.on('data', onData)
    exited.then((code) => reject(new Error(`${script} exited with ${code} before it was ready:\n${output()}`)), reject)
  })
  return {
    ready: found,
    process: child,
    output,
    exited,
    stop: async () => {
      child.kill('SIGTERM')
      return exited
    }
  }
}

/**
 * Starts the real server entry point (src/server.ts) as its own process, on
 * a free port, and resolves once it listens. Without load shedding unless
 * the test sets it: the TypeScript loader compiles as the server runs, and
 * on a busy machine a compile can hold the event loop past the limit.
 */
export async function startServer (t: Test, env: Record<string, string>): Promise<RunningServer> {
  const { ready: url, ...running } = await startSource(t, 'src/server.ts', { PORT: '0', LOG_LEVEL: 'info', RATE_LIMIT_MAX: '0', MAX_EVENT_LOOP_DELAY_MS: '0', UPLOADS_DIR: temporaryDirectory(t), ...env },
    (output) => /"msg":"Server listening at (http:\/\/[^"]+)"/.exec(output)?.[1])
  return { ...running, url }
}

/** Starts `npm run worker`'s entry point (src/worker.ts) as its own process, and resolves once it works the queue. */
export async function startWorker (t: Test, env: Record<string, string>): Promise<RunningProcess> {
  const { ready: _, ...running } = await startSource(t, 'src/worker.ts', { LOG_LEVEL: 'info', ...env },
    (output) => output.includes('"msg":"worker started"') ? true : undefined)
  return running
}

/** Runs a script of src/ with `args` to completion (`input` on its standard input) and returns its exit code and output. */
export async function runToExit (script: string, env: Record<string, string>, args: readonly string[] = [], input = ''): Promise<{ code: number | null, output: string }> {
  const { child, output } = spawnSource(script, env, args)
  child.stdin.end(input)
  // 'close' rather than 'exit': by then everything written has been read.
  const [code] = await once(child, 'close') as [number | null]
  return { code, output: output() }
}

type App = Awaited<ReturnType<typeof build>>

/** Creates a task through the API and returns it. */
export async function createTask (app: App, body: Record<string, unknown>) {
  const response = await app.inject({ method: 'POST', url: '/tasks', payload: body })
  if (response.statusCode !== 201) throw new Error(`create failed with ${response.statusCode}: ${response.body}`)
  return response.json()
}

/** An RFC 3339 UTC timestamp with milliseconds, as the API writes them. */
export const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/

/** Headers that carry a bearer token. */
export function bearer (token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` }
}

/** A user made through POST /users (by the caller `as`, with AUTH=off by default the local administrator). */
export async function createUser (app: App, username: string, fields: Record<string, unknown> = {}, as?: string) {
  const response = await app.inject({
    method: 'POST',
    url: '/users',
    headers: as === undefined ? {} : bearer(as),
    payload: { username, email: `${username}@example.com`, password: `${username} password`, ...fields }
  })
  if (response.statusCode !== 201) throw new Error(`creating ${username} failed with ${response.statusCode}: ${response.body}`)
  return response.json()
}

/** Signs in at POST /auth/token (the password of createUser unless given) and returns the token response. */
export async function signIn (app: App, username: string, { password = `${username} password`, scope }: { password?: string, scope?: string } = {}) {
  const form = new URLSearchParams({ grant_type: 'password', username, password, ...(scope === undefined ? {} : { scope }) })
  const response = await app.inject({ method: 'POST', url: '/auth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: form.toString() })
  if (response.statusCode !== 200) throw new Error(`signing in as ${username} failed with ${response.statusCode}: ${response.body}`)
  return response.json() as { access_token: string, refresh_token: string, scope: string, expires_in: number, token_type: string }
}

/** A user created and signed in: their access token. */
export async function userToken (app: App, username: string, fields: Record<string, unknown> = {}, scope?: string): Promise<string> {
  await createUser(app, username, fields)
  return (await signIn(app, username, scope === undefined ? {} : { scope })).access_token
}

/**
 * With AUTH=on only an administrator can create users, and the first one's
 * password is only in the log: tests put one of their own in the database
 * (`root`, password `root password`) and sign in as it.
 */
export async function administratorToken (app: App): Promise<string> {
  if (await app.db.users.findByUsername('root') === undefined) {
    await app.db.users.create({ username: 'root', email: 'root@example.com', displayName: 'Root', role: 'admin', passwordHash: await hashPassword('root password') })
  }
  return (await signIn(app, 'root')).access_token
}

/** A JWT written by hand (HS256 unless the header says otherwise; `none` gets no signature), to try the tokens this API must refuse. */
export function craftJwt (secret: string, payload: Record<string, unknown>, header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' }): string {
  const encode = (part: Record<string, unknown>) => Buffer.from(JSON.stringify(part)).toString('base64url')
  const signed = `${encode(header)}.${encode(payload)}`
  if (header.alg === 'none') return `${signed}.`
  const digest = header.alg === 'HS512' ? 'sha512' : 'sha256'
  return `${signed}.${createHmac(digest, secret).update(signed).digest('base64url')}`
}
