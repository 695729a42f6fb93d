import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import autocannon from 'autocannon'
import BetterSqlite3 from 'better-sqlite3'
import { CLIENTS, generateTasks } from '../src/db/generated-tasks.js'
import { ROOT, run, startServer } from './processes.js'

// `npm run soak`: the production build (`node dist/server.js`, logs at info
// into a file, the rate limit raised out of the way, as `npm run bench` runs
// it) on a database seeded with SOAK_TASKS tasks by the db:seed script, under
// a mixed read/write load for SOAK_SECONDS: SOAK_CONNECTIONS kept-alive
// connections (autocannon), each sending its next request as soon as the last
// is answered (optionally capped at SOAK_RATE requests/s overall). Every
// WINDOW_SECONDS it reports the requests answered, the 5xx, the p99 latency
// and the server's resident memory (VmRSS from /proc, sampled every second).
// The table is printed and written to bench/results/soak.json.
//
// Exit code 1 if any answer was a 5xx, if memory keeps growing, or if the
// server died during the load. The memory rule,
// over the windows in order (a window's RSS is the mean of its samples), with
// the windows split in three equal thirds (the first third is warm-up: page
// cache, JIT and pools filling up, and is ignored):
//   growing = mean RSS of the last third > 1.10 x mean RSS of the middle third
//             AND the largest sample of the last window is the largest of the
//             whole run (memory still at its peak at the end, not levelled off).
// With fewer than 3 windows the rule cannot be applied and is reported as such.

const SECONDS = Number(process.env.SOAK_SECONDS ?? 180)
const TASKS = Number(process.env.SOAK_TASKS ?? 100_000)
const CONNECTIONS = Number(process.env.SOAK_CONNECTIONS ?? 10)
const RATE = Number(process.env.SOAK_RATE ?? 0)
const WINDOW_SECONDS = 10
const GROWTH_LIMIT = 1.10
/** Tasks set aside for DELETE and restore, so that GETs and PATCHes never meet a deleted one. */
const CHURN_TASKS = 2000

const line = (text: string) => process.stdout.write(text + '\n')
const work = mkdtempSync(join(tmpdir(), 'task-api-soak-'))
process.on('exit', () => rmSync(work, { recursive: true, force: true }))

// The database.
const file = join(work, 'tasks.db')
const seedStarted = performance.now()
await run(process.execPath, ['dist/db/seed.js', '--count', String(TASKS), '--file', file])
line(`${TASKS.toLocaleString('en')} tasks seeded in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s.`)
const database = new BetterSqlite3(file, { readonly: true })
const liveIds = database.prepare('SELECT id FROM tasks WHERE deleted_at IS NULL ORDER BY id').pluck().all() as number[]
database.close()
// Every 20th live task takes part in delete/restore churn; the others are
// read and patched. Tasks created during the run join the read pool.
const churnLive = liveIds.filter((_, i) => i % 20 === 0).slice(0, CHURN_TASKS)
const churnSet = new Set(churnLive)
const stableIds = liveIds.filter((id) => !churnSet.has(id))
const churnDeleted: number[] = []

// The server, as `npm start` runs it.
const logFile = join(work, 'server.log')
const server = await startServer(['dist/server.js'], {
  DATABASE_URL: file,
  LOG_LEVEL: 'info',
  RATE_LIMIT_MAX: '1000000000'
}, logFile)
const pid = server.process.pid as number
line(`Server (pid ${pid}) healthy ${server.startupMs.toFixed(0)} ms after start, ${server.rssMb().toFixed(0)} MB resident.`)
line(`Load: ${CONNECTIONS} connections${RATE > 0 ? `, at most ${RATE} req/s` : ''}, ${SECONDS} s, reported every ${WINDOW_SECONDS} s.`)

// The mix of requests, by weight.
type Op = 'get one' | 'list page' | 'search' | 'create' | 'update' | 'delete' | 'restore'
const MIX: Array<[Op, number]> = [['get one', 30], ['list page', 25], ['search', 10], ['create', 15], ['update', 12], ['delete', 4], ['restore', 4]]
const MIX_TOTAL = MIX.reduce((sum, [, weight]) => sum + weight, 0)
const randomItem = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T
const STATUSES = ['pending', 'in_progress', 'done', 'cancelled']
const WORDS = ['budget', 'report', 'invoice', 'roadmap', 'release', 'security']
const SHORT = ['ab', 'in', 'e', 'x%']
const bodies = [...generateTasks(1000)].map(({ title, description, status, priority, assignee }) =>
  JSON.stringify({ title, description, status, priority, assignee }))

function pickOp (): Op {
  let roll = Math.random() * MIX_TOTAL
  for (const [op, weight] of MIX) {
    roll -= weight
    if (roll < 0) return op
  }
  return 'get one'
}

function listPath (): string {
  const params = new URLSearchParams()
  if (Math.random() < 0.5) params.set('status', randomItem(STATUSES))
  if (Math.random() < 0.4) params.set('priority', String(1 + Math.floor(Math.random() * 5)))
  params.set('sort_by', randomItem(['created_at', 'priority', 'title']))
  params.set('sort_order', randomItem(['asc', 'desc']))
  params.set('limit', String(randomItem([10, 20, 50, 100])))
  params.set('offset', String(randomItem([0, 0, 0, 20, 100, 1000])))
  if (Math.random() < 0.1) params.set('include_deleted', 'true')
  return `/tasks?${params}`
}

function searchPath (): string {
  const roll = Math.random()
  // Mostly a client name (a few hundred matches), some common words, and
  // rarely a 1-2 character term, which reads every task.
  const q = roll < 0.75 ? randomItem(CLIENTS) : roll < 0.97 ? randomItem(WORDS) : randomItem(SHORT)
  return `/tasks?q=${encodeURIComponent(q)}${Math.random() < 0.3 ? `&status=${randomItem(STATUSES)}` : ''}`
}

interface Context { op?: Op, id?: number }
interface Planned { op: Op, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: string, id?: number }

function plan (): Planned {
  let op = pickOp()
  if (op === 'restore' && churnDeleted.length === 0) op = 'delete'
  if (op === 'delete' && churnLive.length === 0) op = 'get one'
  switch (op) {
    case 'get one': return { op, method: 'GET', path: `/tasks/${randomItem(stableIds)}` }
    case 'list page': return { op, method: 'GET', path: listPath() }
    case 'search': return { op, method: 'GET', path: searchPath() }
    case 'create': return { op, method: 'POST', path: '/tasks', body: randomItem(bodies) }
    case 'update': return {
      op,
      method: 'PATCH',
      path: `/tasks/${randomItem(stableIds)}`,
      body: JSON.stringify({ priority: 1 + Math.floor(Math.random() * 5), status: randomItem(STATUSES), title: `Soak ${Math.random().toString(36).slice(2)}` })
    }
    case 'delete': {
      // Taken out of the pool until its answer says where it stands.
      const id = churnLive.splice(Math.floor(Math.random() * churnLive.length), 1)[0] as number
      return { op, method: 'DELETE', path: `/tasks/${id}`, id }
    }
    case 'restore': {
      const id = churnDeleted.splice(Math.floor(Math.random() * churnDeleted.length), 1)[0] as number
      return { op, method: 'POST', path: `/tasks/${id}/restore`, id }
    }
  }
}

// Per-window statistics.
interface Window {
  index: number
  requests: number
  fiveXx: number
  /** Answers neither 2xx nor 5xx: none are expected from this mix. */
  otherNon2xx: number
  /** Connection errors and timeouts. */
  errors: number
  latencies: number[]
  rssSamples: number[]
}
const windows: Window[] = []
const WINDOWS = Math.ceil(SECONDS / WINDOW_SECONDS)
const windowAt = (now: number): Window => {
  // Answers that arrive just after the end still count in the last window.
  const index = Math.min(WINDOWS - 1, Math.max(0, Math.floor((now - loadStarted) / (WINDOW_SECONDS * 1000))))
  while (windows.length <= index) windows.push({ index: windows.length, requests: 0, fiveXx: 0, otherNon2xx: 0, errors: 0, latencies: [], rssSamples: [] })
  return windows[index] as Window
}
const byOp = new Map<Op, { requests: number, statuses: Record<string, number> }>(MIX.map(([op]) => [op, { requests: 0, statuses: {} }]))

const rssMb = () => {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return Number(match?.[1]) / 1024
}

const loadStarted = performance.now()
const sampler = setInterval(() => {
  try { windowAt(performance.now()).rssSamples.push(rssMb()) } catch { /* the server is gone: reported below */ }
}, 1000)

let finished: (result: autocannon.Result) => void = () => {}
let failed: (error: unknown) => void = () => {}
const done = new Promise<autocannon.Result>((resolve, reject) => { finished = resolve; failed = reject })
const instance = autocannon({
  url: server.url,
  connections: CONNECTIONS,
  duration: SECONDS,
  ...(RATE > 0 ? { overallRate: RATE } : {}),
  requests: [{
    setupRequest: (request, state) => {
      const context = state as Context
      const next = plan()
      context.op = next.op
      if (next.id === undefined) delete context.id
      else context.id = next.id
      return {
        ...request,
        method: next.method,
        path: next.path,
        headers: next.body === undefined ? {} : { 'content-type': 'application/json' },
        body: next.body ?? ''
      }
    },
    onResponse: (status, body, state) => {
      const context = state as Context
      const op = context.op as Op
      const stats = byOp.get(op) as { requests: number, statuses: Record<string, number> }
      stats.requests++
      stats.statuses[status] = (stats.statuses[status] ?? 0) + 1
      if (op === 'create' && status === 201) stableIds.push((JSON.parse(body) as { id: number }).id)
      if (op === 'delete' && context.id !== undefined) (status === 204 ? churnDeleted : churnLive).push(context.id)
      if (op === 'restore' && context.id !== undefined) (status === 200 ? churnLive : churnDeleted).push(context.id)
    }
  }]
}, (error, result) => { if (error !== null && error !== undefined) failed(error); else finished(result) })
instance.on('response', (_client, statusCode, _bytes, responseTime) => {
  const window = windowAt(performance.now())
  window.requests++
  window.latencies.push(responseTime)
  if (statusCode >= 500) window.fiveXx++
  else if (statusCode < 200 || statusCode >= 300) window.otherNon2xx++
})
instance.on('reqError', () => { windowAt(performance.now()).errors++ })
let reported = 0
const progress = setInterval(() => {
  // Each window once it is complete.
  for (; reported < windows.length - 1; reported++) line(`  ${formatWindow(windows[reported] as Window).join('  ')}`)
}, 1000)
const result = await done
clearInterval(sampler)
clearInterval(progress)

const diedDuringLoad = server.process.exitCode !== null || server.process.signalCode !== null
const rssAtEnd = diedDuringLoad ? Number.NaN : rssMb()
const stopStarted = performance.now()
await server.stop()
const exitCode = server.process.exitCode
const stopMs = performance.now() - stopStarted

const summaries = windows.map((window) => ({
  window: window.index + 1,
  fromS: window.index * WINDOW_SECONDS,
  toS: Math.min((window.index + 1) * WINDOW_SECONDS, SECONDS),
  requests: window.requests,
  requestsPerSecond: window.requests / (Math.min((window.index + 1) * WINDOW_SECONDS, SECONDS) - window.index * WINDOW_SECONDS),
  fiveXx: window.fiveXx,
  otherNon2xx: window.otherNon2xx,
  errors: window.errors,
  p50Ms: percentile(window.latencies, 0.5),
  p99Ms: percentile(window.latencies, 0.99),
  maxMs: window.latencies.reduce((max, value) => Math.max(max, value), 0),
  rssMb: mean(window.rssSamples),
  rssMaxMb: window.rssSamples.reduce((max, value) => Math.max(max, value), 0)
}))

// The memory rule (see the top of this file).
const third = Math.floor(summaries.length / 3)
const memory = (() => {
  if (third === 0) return { applicable: false as const, growing: false, reason: `only ${summaries.length} windows; the rule needs at least 3` }
  const middle = summaries.slice(third, 2 * third)
  const lastThird = summaries.slice(summaries.length - third)
  const middleMeanMb = mean(middle.map((window) => window.rssMb))
  const lastMeanMb = mean(lastThird.map((window) => window.rssMb))
  const peakMb = Math.max(...summaries.map((window) => window.rssMaxMb))
  const lastWindowMaxMb = summaries.at(-1)?.rssMaxMb ?? 0
  const grewTooMuch = lastMeanMb > GROWTH_LIMIT * middleMeanMb
  const stillAtPeak = lastWindowMaxMb >= peakMb
  return {
    applicable: true as const,
    growing: grewTooMuch && stillAtPeak,
    middleMeanMb,
    lastMeanMb,
    growthPercent: (lastMeanMb / middleMeanMb - 1) * 100,
    peakMb,
    lastWindowMaxMb,
    reason: `last third ${lastMeanMb.toFixed(1)} MB vs middle third ${middleMeanMb.toFixed(1)} MB (${signed((lastMeanMb / middleMeanMb - 1) * 100)}%, limit +${((GROWTH_LIMIT - 1) * 100).toFixed(0)}%); ` +
      `last window's max ${lastWindowMaxMb.toFixed(1)} MB, ${stillAtPeak ? 'the peak of the run' : `below the run's peak ${peakMb.toFixed(1)} MB`}`
  }
})()

const totals = {
  requests: result.requests.total,
  requestsPerSecond: result.requests.average,
  fiveXx: summaries.reduce((sum, window) => sum + window.fiveXx, 0),
  otherNon2xx: summaries.reduce((sum, window) => sum + window.otherNon2xx, 0),
  errors: result.errors,
  timeouts: result.timeouts,
  p50Ms: result.latency.p50,
  p99Ms: result.latency.p99,
  byOp: Object.fromEntries(byOp)
}
const failures: string[] = []
if (totals.fiveXx > 0) failures.push(`${totals.fiveXx} answers were 5xx`)
if (memory.growing) failures.push(`memory keeps growing: ${memory.reason}`)
if (diedDuringLoad) failures.push(`the server died during the load (exit code ${server.process.exitCode}, signal ${server.process.signalCode})`)

const report = {
  date: new Date().toISOString(),
  machine: { cpus: availableParallelism(), model: cpus()[0]?.model, node: process.version },
  settings: { seconds: SECONDS, tasks: TASKS, connections: CONNECTIONS, rate: RATE > 0 ? RATE : null, windowSeconds: WINDOW_SECONDS, mix: Object.fromEntries(MIX) },
  server: { startupMs: server.startupMs, rssMbAtEnd: rssAtEnd, stopMs, exitCode },
  windows: summaries,
  totals,
  memory,
  passed: failures.length === 0,
  failures
}
mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true })
const resultFile = join(ROOT, 'bench', 'results', 'soak.json')
writeFileSync(resultFile, JSON.stringify(report, null, 2) + '\n')

line('')
line(markdownTable([
  ['window', 'seconds', 'requests', 'req/s', '5xx', 'other non-2xx', 'errors', 'p50 ms', 'p99 ms', 'max ms', 'RSS MB', 'RSS max MB'],
  ...summaries.map((window) => [
    String(window.window), `${window.fromS}-${window.toS}`, String(window.requests), window.requestsPerSecond.toFixed(0), String(window.fiveXx),
    String(window.otherNon2xx), String(window.errors), window.p50Ms.toFixed(0), window.p99Ms.toFixed(0), window.maxMs.toFixed(0),
    window.rssMb.toFixed(1), window.rssMaxMb.toFixed(1)
  ])
]))
line('')
line(`${totals.requests} requests (${totals.requestsPerSecond.toFixed(0)} req/s), ${totals.fiveXx} 5xx, ${totals.otherNon2xx} other non-2xx, ` +
  `${totals.errors} errors (${totals.timeouts} timeouts); p50 ${totals.p50Ms} ms, p99 ${totals.p99Ms} ms.`)
line(`By operation: ${[...byOp].map(([op, stats]) => `${op} ${stats.requests} ${JSON.stringify(stats.statuses)}`).join('; ')}.`)
line(`Memory: ${memory.reason}${memory.applicable ? (memory.growing ? ': GROWING' : ': not growing') : ''}.`)
line(`Server: ${rssAtEnd.toFixed(0)} MB resident at the end; SIGTERM to exit ${stopMs.toFixed(0)} ms, exit code ${exitCode}.`)
line(failures.length === 0 ? 'PASS' : `FAIL: ${failures.join('; ')}`)
line(`Results written to ${resultFile}.`)
process.exitCode = failures.length === 0 ? 0 : 1

function formatWindow (window: Window): string[] {
  return [
    `${String(window.index * WINDOW_SECONDS).padStart(4)}-${String((window.index + 1) * WINDOW_SECONDS).padEnd(4)}s`,
    `${String(window.requests).padStart(6)} requests`,
    `${window.fiveXx} 5xx`,
    `p99 ${percentile(window.latencies, 0.99).toFixed(0)} ms`,
    `RSS ${mean(window.rssSamples).toFixed(1)} MB`
  ]
}

function percentile (values: number[], p: number): number {
  if (values.length === 0) return 0
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] as number
}

function mean (values: number[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length
}

function signed (value: number): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(1)}`
}

function markdownTable (rows: string[][]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? []
  const format = (row: string[]) => `| ${row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`
  return [format(rows[0] ?? []), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...rows.slice(1).map(format)].join('\n')
}
