import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Test } from 'tap'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'

export const ROOT = fileURLToPath(new URL('..', import.meta.url))

/** Settings for tests: an in-memory database, quiet logs, no rate limit. */
export const TEST_ENV = { DATABASE_URL: ':memory:', LOG_LEVEL: 'silent', RATE_LIMIT_MAX: '0' }

/**
 * Builds the app exactly as the server does, from settings read the way the
 * server reads them, and closes it when the test ends.
 */
export async function build (t: Test, env: Record<string, string> = {}) {
  const app = await buildApp(loadConfig({ ...TEST_ENV, ...env }))
  t.teardown(() => app.close())
  await app.ready()
  return app
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

export interface RunningServer {
  url: string
  process: ChildProcessWithoutNullStreams
  /** Everything the server wrote to stdout and stderr so far. */
  output: () => string
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>
  /** Sends SIGTERM and resolves with the exit code. */
  stop: () => Promise<number | null>
}

/**
 * Starts the real server entry point (src/server.ts) as its own process, on
 * a free port, and resolves once it listens.
 */
export async function startServer (t: Test, env: Record<string, string>): Promise<RunningServer> {
  const { child, output } = spawnSource('src/server.ts', { PORT: '0', LOG_LEVEL: 'info', RATE_LIMIT_MAX: '0', ...env })
  const exited = once(child, 'exit').then(([code]) => code as number | null)
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })

  const url = await new Promise<string>((resolve, reject) => {
    const onData = () => {
      const match = /"msg":"Server listening at (http:\/\/[^"]+)"/.exec(output())
      if (match?.[1] !== undefined) {
        child.stdout.off('data', onData)
        resolve(match[1])
      }
    }
    child.stdout.on('data', onData)
    exited.then((code) => reject(new Error(`server exited with ${code} before listening:\n${output()}`)), reject)
  })

  return {
    url,
    process: child,
    output,
    exited,
    stop: async () => {
      child.kill('SIGTERM')
      return exited
    }
  }
}

/** Runs a script of src/ with `args` to completion and returns its exit code and output. */
export async function runToExit (script: string, env: Record<string, string>, args: readonly string[] = []): Promise<{ code: number | null, output: string }> {
  const { child, output } = spawnSource(script, env, args)
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
