import { randomBytes } from 'node:crypto'
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import BetterSqlite3 from 'better-sqlite3'
import pg from 'pg'
import { latencyPass, type LatencyGroup } from './latency-pass.js'
import { load, loadCases, type LoadCase, type LoadResult } from './load-cases.js'
import { ROOT, run, startServer } from './processes.js'
import { speedTargets, type TargetResult } from './targets.js'
import { startFakeOpenMeteo } from '../test/fake-open-meteo.js'
import { WEBSOCKET_TARGETS, websocketSubscribers, type WebSocketResult } from './websocket-subscribers.js'

// `npm run bench [-- [--only websocket] [--database postgres [--instances N]]]`:
// the production build of the server on seeded SQLite databases of 10
// thousand and 1 million tasks, loaded over HTTP next to a bare Fastify route
// (the ceiling), then every list shape one request at a time, then a thousand
// WebSocket subscribers of one project on a fresh server over the 10,000
// tasks (issue 14). With `--database postgres`, the same on PostgreSQL with
// the million tasks (copied in with db:copy), in the same run; with
// `--instances N`, N servers on that database loaded at once. With `--only
// websocket`, the WebSocket case alone, on the 10,000 tasks (on both
// databases with `--database postgres`), written to its own result file.
const { values: options } = parseArgs({ options: { database: { type: 'string', default: 'sqlite' }, instances: { type: 'string', default: '1' }, only: { type: 'string' } } })
if (options.database !== 'sqlite' && options.database !== 'postgres') throw new Error('--database is sqlite (the default) or postgres')
if (options.only !== undefined && options.only !== 'websocket') throw new Error('--only is websocket (the WebSocket subscribers case alone)')
const ONLY_WEBSOCKET = options.only === 'websocket'
const SIZES = ONLY_WEBSOCKET ? [10_000] : [10_000, 1_000_000]
const INSTANCES = Number(options.instances)
if (!Number.isInteger(INSTANCES) || INSTANCES < 1) throw new Error('--instances is a whole number, 1 or more')
// The server PostgreSQL runs on: the benchmark works in a schema of its own there, dropped at the end.
const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
// The cases loaded on several instances at once, against one instance.
const SCALE_OUT_CASES = ['GET one task (random ids)', 'list: default page']
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10)
// Each case first runs unmeasured for this long, so that every figure, the
// ceiling's too, is of a warmed-up process (JIT-compiled, caches filled).
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 2)
const WEBSOCKET_OPTIONS = {
  subscribers: Number(process.env.BENCH_WS_SUBSCRIBERS ?? 1000),
  patches: Number(process.env.BENCH_WS_PATCHES ?? 200),
  intervalMs: Number(process.env.BENCH_WS_INTERVAL_MS ?? 50)
}
const work = mkdtempSync(join(tmpdir(), 'task-api-bench-'))
process.on('exit', () => rmSync(work, { recursive: true, force: true }))

interface SizeResult {
  database: 'sqlite' | 'postgres'
  tasks: number
  seedSeconds: number
  startupMs: number
  cases: Array<LoadResult & { ratio: number }>
  rssMbAtEnd: number
  latency?: LatencyGroup[]
  /** The database server's version and memory for its pages, where there is a server. */
  server?: string
}

type WebSocketCase = WebSocketResult & { database: SizeResult['database'], tasks: number }

const line = (text: string) => process.stdout.write(text + '\n')

/** One case, warmed up and then measured. */
async function measure (url: string, loadCase: LoadCase): Promise<LoadResult> {
  if (WARMUP_SECONDS > 0) await load(url, loadCase, WARMUP_SECONDS)
  return load(url, loadCase, SECONDS)
}

/** The bare route, loaded as every case is: what the server's figures are measured against. */
async function measureCeiling (): Promise<LoadResult> {
  line(`Ceiling: a bare Fastify route, ${SECONDS} s per case after ${WARMUP_SECONDS} s of warm-up, 10 connections.`)
  const ceilingServer = await startServer(['--import', 'tsx', 'bench/ceiling-server.ts'], {}, join(work, 'ceiling.log'), '/')
  const ceiling = await measure(ceilingServer.url, { name: 'bare Fastify route (ceiling)', method: 'GET', next: () => ({ path: '/' }) })
  await ceilingServer.stop()
  line(`  ${ceiling.requestsPerSecond.toFixed(0)} req/s`)
  return ceiling
}
const ceiling = ONLY_WEBSOCKET ? undefined : await measureCeiling()

// The weather comes from a local stand-in for Open-Meteo, never the internet.
const weatherService = await startFakeOpenMeteo()

// As a user runs it (npm start's own command on the built code, logs at
// info into a file), with the rate limit raised out of the way.
const serverOn = (databaseUrl: string, logName: string) => startServer(['dist/server.js'], {
  DATABASE_URL: databaseUrl,
  LOG_LEVEL: 'info',
  RATE_LIMIT_MAX: '1000000000',
  WEATHER_API_URL: weatherService.url
}, join(work, `${logName}.log`))

/** Every case on a server started on `databaseUrl`, and the one-connection pass when `latency`. */
async function benchServer (database: SizeResult['database'], tasks: number, seedSeconds: number, databaseUrl: string, liveIds: number[], latency: boolean): Promise<SizeResult> {
  const server = await serverOn(databaseUrl, `server-${database}-${tasks}`)
  line(`  ${database}: healthy ${server.startupMs.toFixed(0)} ms after start`)
  const cases = []
  for (const loadCase of loadCases(liveIds, await administratorToken(server.url))) {
    const result = await measure(server.url, loadCase)
    cases.push({ ...result, ratio: result.requestsPerSecond / (ceiling as LoadResult).requestsPerSecond })
    line(`  ${database}: ${loadCase.name}: ${result.requestsPerSecond.toFixed(0)} req/s`)
  }
  const passes = latency ? await latencyPass(server.url, liveIds[0] as number) : undefined
  const rssMbAtEnd = server.rssMb()
  await server.stop()
  return { database, tasks, seedSeconds, startupMs: server.startupMs, cases, rssMbAtEnd, ...(passes === undefined ? {} : { latency: passes }) }
}

/**
 * The WebSocket case on a server of its own on `databaseUrl`, started for
 * it: the process's peak memory is then this case's.
 */
async function benchWebSocket (database: SizeResult['database'], tasks: number, databaseUrl: string): Promise<WebSocketCase> {
  const server = await serverOn(databaseUrl, `server-${database}-websocket`)
  try {
    const result = await websocketSubscribers(server, WEBSOCKET_OPTIONS)
    line(`  ${database}: ${result.subscribers} WebSocket subscribers, ${result.events} events: p99 ${result.p99Ms.toFixed(1)} ms, peak ${result.peakRssMb.toFixed(0)} MB resident, ${result.misses} missed`)
    return { database, tasks, ...result }
  } finally {
    await server.stop()
  }
}

const liveIdsOf = (file: string) => {
  const database = new BetterSqlite3(file, { readonly: true })
  try {
    return database.prepare('SELECT id FROM tasks WHERE deleted_at IS NULL').pluck().all() as number[]
  } finally {
    database.close()
  }
}

const sizes: SizeResult[] = []
const websocket: WebSocketCase[] = []
// The database of the WebSocket case: what it holds matters little, as its subscribers read only new events.
const WEBSOCKET_TASKS = 10_000
let postgresSeed: { file: string, seedSeconds: number } | undefined
for (const tasks of SIZES) {
  const file = join(work, `tasks-${tasks}.db`)
  const seedStarted = performance.now()
  await run(process.execPath, ['dist/db/seed.js', '--count', String(tasks), '--file', file])
  const seedSeconds = (performance.now() - seedStarted) / 1000
  line(`${tasks} tasks seeded in ${seedSeconds.toFixed(1)} s.`)
  // The same tasks for PostgreSQL, before the SQLite server's writes change them.
  if (tasks === Math.max(...SIZES) && options.database === 'postgres') {
    postgresSeed = { file: join(work, 'postgres-seed.db'), seedSeconds }
    copyFileSync(file, postgresSeed.file)
  }
  if (!ONLY_WEBSOCKET) sizes.push(await benchServer('sqlite', tasks, seedSeconds, file, liveIdsOf(file), tasks === Math.max(...SIZES)))
}
line(`WebSocket: ${WEBSOCKET_OPTIONS.subscribers} subscribers of one project, ${WEBSOCKET_OPTIONS.patches} PATCHes, one every ${WEBSOCKET_OPTIONS.intervalMs} ms.`)
websocket.push(await benchWebSocket('sqlite', WEBSOCKET_TASKS, join(work, `tasks-${WEBSOCKET_TASKS}.db`)))

interface ScaleOutResult {
  name: string
  instances: number
  /** All instances together. */
  requestsPerSecond: number
  /** The same case on one instance, measured just before. */
  oneInstance: number
  gain: number
  failures: number
}
const scaleOut: ScaleOutResult[] = []

if (postgresSeed !== undefined) {
  // A schema of its own on the PostgreSQL server, filled by db:copy as a user moving from SQLite would.
  const schema = `bench_${randomBytes(4).toString('hex')}`
  const admin = new pg.Client({ connectionString: POSTGRES_URL })
  await admin.connect()
  await admin.query(`CREATE SCHEMA ${schema}`)
  try {
    const url = new URL(POSTGRES_URL)
    url.searchParams.set('options', `-c search_path=${schema},public`)
    const databaseUrl = url.toString()
    const tasks = Math.max(...SIZES)
    const copyStarted = performance.now()
    await run(process.execPath, ['dist/db/copy.js', '--from', postgresSeed.file, '--to', databaseUrl])
    const copySeconds = (performance.now() - copyStarted) / 1000
    line(`${tasks} tasks copied to PostgreSQL (schema ${schema}) in ${copySeconds.toFixed(1)} s.`)
    if (!ONLY_WEBSOCKET) {
      const liveIds = liveIdsOf(postgresSeed.file)
      const result = await benchServer('postgres', tasks, postgresSeed.seedSeconds + copySeconds, databaseUrl, liveIds, true)
      // Its shared_buffers decides whether the tasks and their indexes are read from its own memory.
      const { rows: [settings] } = await admin.query<{ version: string, buffers: string }>(
        "SELECT current_setting('server_version') AS version, current_setting('shared_buffers') AS buffers")
      sizes.push({ ...result, server: `PostgreSQL ${settings?.version ?? '?'}, shared_buffers ${settings?.buffers ?? '?'}` })

      if (INSTANCES > 1) {
        const servers = await Promise.all(Array.from({ length: INSTANCES }, (_, index) => serverOn(databaseUrl, `server-postgres-instance-${index}`)))
        try {
          for (const loadCase of loadCases(liveIds, '').filter(({ name }) => SCALE_OUT_CASES.includes(name))) {
            // Each instance with its own 10 connections, all loaded at once.
            if (WARMUP_SECONDS > 0) await Promise.all(servers.map((server) => load(server.url, loadCase, WARMUP_SECONDS)))
            const results = await Promise.all(servers.map((server) => load(server.url, loadCase, SECONDS)))
            const requestsPerSecond = results.reduce((sum, { requestsPerSecond }) => sum + requestsPerSecond, 0)
            const oneInstance = (result.cases.find(({ name }) => name === loadCase.name) as LoadResult).requestsPerSecond
            scaleOut.push({ name: loadCase.name, instances: INSTANCES, requestsPerSecond, oneInstance, gain: requestsPerSecond / oneInstance, failures: results.reduce((sum, { failures }) => sum + failures, 0) })
            line(`  ${INSTANCES} instances: ${loadCase.name}: ${requestsPerSecond.toFixed(0)} req/s (${(requestsPerSecond / oneInstance).toFixed(2)}x one)`)
          }
        } finally {
          await Promise.all(servers.map((server) => server.stop()))
        }
      }
    }
    websocket.push(await benchWebSocket('postgres', tasks, databaseUrl))
  } finally {
    await admin.query(`DROP SCHEMA ${schema} CASCADE`)
    await admin.end()
  }
}
await weatherService.close()

/**
 * An administrator's access token, as a script would get one: with AUTH=off
 * (as the server runs here) the local administrator creates the user, who
 * then signs in. Administrators see every task, as the local user does.
 */
async function administratorToken (url: string): Promise<string> {
  const created = await fetch(`${url}/users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'bench', email: 'bench@example.com', password: 'bench password', role: 'admin' })
  })
  if (created.status !== 201) throw new Error(`creating the bench user answered ${created.status}: ${await created.text()}`)
  const signedIn = await fetch(`${url}/auth/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'password', username: 'bench', password: 'bench password' }) })
  if (signedIn.status !== 200) throw new Error(`signing in answered ${signedIn.status}: ${await signedIn.text()}`)
  return (await signedIn.json() as { access_token: string }).access_token
}

const targets = ceiling === undefined ? [] : speedTargets(sizes)
const machine = { cpus: availableParallelism(), model: cpus()[0]?.model, node: process.version }
const websocketReport = { options: WEBSOCKET_OPTIONS, targets: WEBSOCKET_TARGETS, cases: websocket }
// A run of the WebSocket case alone has a file of its own, so that it does not stand in for a whole run's.
const report = ceiling === undefined
  ? { date: new Date().toISOString(), machine, websocket: websocketReport }
  : {
      date: new Date().toISOString(),
      machine,
      secondsPerCase: SECONDS,
      warmupSecondsPerCase: WARMUP_SECONDS,
      connections: 10,
      ceiling,
      sizes,
      scaleOut,
      targets,
      websocket: websocketReport
    }
mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true })
const resultFile = join(ROOT, 'bench', 'results', ceiling === undefined ? 'websocket.json' : 'latest.json')
writeFileSync(resultFile, JSON.stringify(report, null, 2) + '\n')

line('')
if (ceiling !== undefined) line(renderTable(ceiling, sizes, scaleOut))
if (ceiling !== undefined) line(renderTargets(targets))
line(renderWebSocketTables(websocket))
line(`Results written to ${resultFile}.`)

function renderTable (ceiling: LoadResult, sizes: SizeResult[], scaleOut: ScaleOutResult[]): string {
  const rows: string[][] = [['case', 'database', 'tasks', 'req/s', 'x ceiling', 'p50 ms', 'p99 ms', 'failures']]
  rows.push([ceiling.name, '-', '-', ceiling.requestsPerSecond.toFixed(0), '1.00', ceiling.p50Ms.toFixed(1), ceiling.p99Ms.toFixed(1), String(ceiling.failures)])
  for (const name of sizes[0]?.cases.map((result) => result.name) ?? []) {
    for (const size of sizes) {
      const result = size.cases.find((candidate) => candidate.name === name) as SizeResult['cases'][number]
      rows.push([name, size.database, size.tasks.toLocaleString('en'), result.requestsPerSecond.toFixed(0), result.ratio.toFixed(2), result.p50Ms.toFixed(1), result.p99Ms.toFixed(1), String(result.failures)])
    }
  }
  const sections = [markdownTable(rows)]
  if (scaleOut.length > 0) {
    sections.push('Several instances on one PostgreSQL, each loaded over its own 10 connections at once:\n\n' + markdownTable([
      ['case', 'instances', 'req/s (all)', 'req/s (one instance)', 'gain', 'failures'],
      ...scaleOut.map((result) => [result.name, String(result.instances), result.requestsPerSecond.toFixed(0), result.oneInstance.toFixed(0), `${result.gain.toFixed(2)}x`, String(result.failures)])
    ]))
  }
  for (const size of sizes) {
    const seeded = size.database === 'postgres' ? 'seeded and copied in' : 'seeded in'
    sections.push(`${size.database}${size.server === undefined ? '' : ` (${size.server})`}, ${size.tasks.toLocaleString('en')} tasks: ${seeded} ${size.seedSeconds.toFixed(1)} s, healthy ${size.startupMs.toFixed(0)} ms after start, ${size.rssMbAtEnd.toFixed(0)} MB resident at the end.`)
    if (size.latency !== undefined) {
      sections.push(`One connection, ${size.database}, ${size.tasks.toLocaleString('en')} tasks, every list shape:\n\n` + markdownTable([
        ['shapes', 'count', 'requests', 'p50 ms', 'p99 ms', 'max ms', 'slowest'],
        ...size.latency.map((group) => [group.name, String(group.shapes), String(group.requests), group.p50Ms.toFixed(2), group.p99Ms.toFixed(2), group.maxMs.toFixed(2), `\`${group.slowest}\``])
      ]))
    }
  }
  return sections.join('\n\n') + '\n'
}

function renderTargets (targets: TargetResult[]): string {
  const rows = targets.map(({ target, database, measured, holds }) => [target, database, measured, holds ? 'holds' : 'short'])
  const short = targets.filter(({ holds }) => !holds).length
  return `Targets (issue 18), ${targets.length - short} of ${targets.length} holding:\n\n` + markdownTable([['target', 'database', 'measured', 'verdict'], ...rows]) + '\n'
}

function renderWebSocketTables (cases: WebSocketCase[]): string {
  const { subscribers, patches, intervalMs } = WEBSOCKET_OPTIONS
  const ms = (value: number) => value.toFixed(1)
  const mb = (value: number) => value.toFixed(0)
  const results = markdownTable([
    ['database', 'tasks', 'subscribers', 'events', 'deliveries', 'misses', 'duplicates', 'p50 ms', 'p99 ms', 'max ms', 'MB subscribed', 'MB at end', 'MB peak'],
    ...cases.map((result) => [result.database, result.tasks.toLocaleString('en'), String(result.subscribers), String(result.events), String(result.deliveries), String(result.misses), String(result.duplicates),
      ms(result.p50Ms), ms(result.p99Ms), ms(result.maxMs), mb(result.rssMbSubscribed), mb(result.rssMbAtEnd), mb(result.peakRssMb)])
  ])
  const holds = (held: boolean) => held ? 'holds' : 'short'
  const targets = markdownTable([
    ['target', 'database', 'measured', 'target'],
    ...cases.flatMap((result) => [
      [`p99 from PATCH to every subscriber <= ${WEBSOCKET_TARGETS.p99Ms} ms`, result.database, `${ms(result.p99Ms)} ms`, holds(result.holds.p99)],
      [`peak RSS <= ${WEBSOCKET_TARGETS.peakRssMb} MB`, result.database, `${mb(result.peakRssMb)} MB`, holds(result.holds.peakRss)],
      ['no subscriber misses an event', result.database, `${result.misses} missed, ${result.closedByServer} closed by the server`, holds(result.holds.noMisses)]
    ])
  ])
  const notes = cases.map((result) => `${result.database}: all subscribed in ${result.subscribeSeconds.toFixed(1)} s; ${result.patchFailures} PATCHes not answered 200; ` +
    `p99 of the PATCH's answer ${ms(result.patchAnsweredP99Ms)} ms, of an event's first receipt ${ms(result.firstReceiptP99Ms)} ms, from its first receipt to its last ${ms(result.fanOutP99Ms)} ms; ` +
    `the server used ${result.serverCpuPercent.toFixed(0)}% of a core while the events went out; this process's event-loop delay p99 ${ms(result.clientLoopDelayP99Ms)} ms.`)
  return [
    `WebSocket feed (issue 14): ${subscribers.toLocaleString('en')} subscribers of one project, ${patches} PATCHes of one task, one every ${intervalMs} ms, each timed from the PATCH sent to the event's receipt at every subscriber:`,
    results, targets, ...notes
  ].join('\n\n') + '\n'
}

function markdownTable (rows: string[][]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? []
  const format = (row: string[]) => `| ${row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`
  return [format(rows[0] ?? []), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...rows.slice(1).map(format)].join('\n')
}
