import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { latencyPass, type LatencyGroup } from './latency-pass.js'
import { load, loadCases, type LoadCase, type LoadResult } from './load-cases.js'
import { ROOT, run, startServer } from './processes.js'

// `npm run bench`: the production build of the server on seeded databases of
// 10 thousand and 1 million tasks, loaded over HTTP next to a bare Fastify
// route (the ceiling), then every list shape one request at a time.
const SIZES = [10_000, 1_000_000]
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10)
// Each case first runs unmeasured for this long, so that every figure, the
// ceiling's too, is of a warmed-up process (JIT-compiled, caches filled).
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 2)
const work = mkdtempSync(join(tmpdir(), 'task-api-bench-'))
process.on('exit', () => rmSync(work, { recursive: true, force: true }))

interface SizeResult {
  tasks: number
  seedSeconds: number
  startupMs: number
  cases: Array<LoadResult & { ratio: number }>
  rssMbAtEnd: number
  latency?: LatencyGroup[]
}

const line = (text: string) => process.stdout.write(text + '\n')

/** One case, warmed up and then measured. */
async function measure (url: string, loadCase: LoadCase): Promise<LoadResult> {
  if (WARMUP_SECONDS > 0) await load(url, loadCase, WARMUP_SECONDS)
  return load(url, loadCase, SECONDS)
}

line(`Ceiling: a bare Fastify route, ${SECONDS} s per case after ${WARMUP_SECONDS} s of warm-up, 10 connections.`)
const ceilingServer = await startServer(['--import', 'tsx', 'bench/ceiling-server.ts'], {}, join(work, 'ceiling.log'), '/')
const ceiling = await measure(ceilingServer.url, { name: 'bare Fastify route (ceiling)', method: 'GET', next: () => ({ path: '/' }) })
await ceilingServer.stop()
line(`  ${ceiling.requestsPerSecond.toFixed(0)} req/s`)

const sizes: SizeResult[] = []
for (const tasks of SIZES) {
  const file = join(work, `tasks-${tasks}.db`)
  const seedStarted = performance.now()
  await run(process.execPath, ['dist/db/seed.js', '--count', String(tasks), '--file', file])
  const seedSeconds = (performance.now() - seedStarted) / 1000
  line(`${tasks} tasks seeded in ${seedSeconds.toFixed(1)} s.`)

  const database = new BetterSqlite3(file, { readonly: true })
  const liveIds = database.prepare('SELECT id FROM tasks WHERE deleted_at IS NULL').pluck().all() as number[]
  database.close()

  // As a user runs it (npm start's own command on the built code, logs at
  // info into a file), with the rate limit raised out of the way.
  const server = await startServer(['dist/server.js'], {
    DATABASE_URL: file,
    LOG_LEVEL: 'info',
    RATE_LIMIT_MAX: '1000000000'
  }, join(work, `server-${tasks}.log`))
  line(`  healthy ${server.startupMs.toFixed(0)} ms after start`)

  const cases = []
  for (const loadCase of loadCases(liveIds, await administratorToken(server.url))) {
    const result = await measure(server.url, loadCase)
    cases.push({ ...result, ratio: result.requestsPerSecond / ceiling.requestsPerSecond })
    line(`  ${loadCase.name}: ${result.requestsPerSecond.toFixed(0)} req/s`)
  }
  const latency = tasks === Math.max(...SIZES) ? await latencyPass(server.url) : undefined
  const rssMbAtEnd = server.rssMb()
  await server.stop()
  sizes.push({ tasks, seedSeconds, startupMs: server.startupMs, cases, rssMbAtEnd, ...(latency === undefined ? {} : { latency }) })
}

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

const report = {
  date: new Date().toISOString(),
  machine: { cpus: availableParallelism(), model: cpus()[0]?.model, node: process.version },
  secondsPerCase: SECONDS,
  warmupSecondsPerCase: WARMUP_SECONDS,
  connections: 10,
  ceiling,
  sizes
}
mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true })
const resultFile = join(ROOT, 'bench', 'results', 'latest.json')
writeFileSync(resultFile, JSON.stringify(report, null, 2) + '\n')

line('')
line(renderTable(report.ceiling, sizes))
line(`Results written to ${resultFile}.`)

function renderTable (ceiling: LoadResult, sizes: SizeResult[]): string {
  const rows: string[][] = [['case', 'tasks', 'req/s', 'x ceiling', 'p50 ms', 'p99 ms', 'failures']]
  rows.push([ceiling.name, '-', ceiling.requestsPerSecond.toFixed(0), '1.00', ceiling.p50Ms.toFixed(1), ceiling.p99Ms.toFixed(1), String(ceiling.failures)])
  for (const name of sizes[0]?.cases.map((result) => result.name) ?? []) {
    for (const size of sizes) {
      const result = size.cases.find((candidate) => candidate.name === name) as SizeResult['cases'][number]
      rows.push([name, size.tasks.toLocaleString('en'), result.requestsPerSecond.toFixed(0), result.ratio.toFixed(2), result.p50Ms.toFixed(1), result.p99Ms.toFixed(1), String(result.failures)])
    }
  }
  const sections = [markdownTable(rows)]
  for (const size of sizes) {
    sections.push(`${size.tasks.toLocaleString('en')} tasks: seeded in ${size.seedSeconds.toFixed(1)} s, healthy ${size.startupMs.toFixed(0)} ms after start, ${size.rssMbAtEnd.toFixed(0)} MB resident at the end.`)
    if (size.latency !== undefined) {
      sections.push(`One connection, ${size.tasks.toLocaleString('en')} tasks, every list shape:\n\n` + markdownTable([
        ['shapes', 'count', 'requests', 'p50 ms', 'p99 ms', 'max ms', 'slowest'],
        ...size.latency.map((group) => [group.name, String(group.shapes), String(group.requests), group.p50Ms.toFixed(2), group.p99Ms.toFixed(2), group.maxMs.toFixed(2), `\`${group.slowest}\``])
      ]))
    }
  }
  return sections.join('\n\n') + '\n'
}

function markdownTable (rows: string[][]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? []
  const format = (row: string[]) => `| ${row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`
  return [format(rows[0] ?? []), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...rows.slice(1).map(format)].join('\n')
}
