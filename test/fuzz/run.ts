/**
 * `npm run fuzz`: the contract fuzzer with more runs than the tap test and,
 * by default, a random seed. Options: --seed N, --runs N (or FUZZ_SEED,
 * FUZZ_RUNS), --path P (replay one counterexample of that seed), --auth on
 * (or FUZZ_AUTH=on: the app with AUTH=on, fuzzed as a signed-in
 * administrator). REQUIRE_IF_MATCH=true in the environment fuzzes the app
 * with that setting. Exits 1 when a response breaks the contract, 0 otherwise.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { TEST_ENV } from '../helper.js'
import { buildAppWithAuthOn, formatOutcome, formatStatistics, FUZZ_ENV, runContractFuzz, type FuzzOptions } from './contract-fuzz.js'

const DEFAULT_RUNS = 10_000

function integerOption (name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined
  const number = Number(value)
  if (!Number.isSafeInteger(number)) {
    console.error(`${name} must be an integer, got ${JSON.stringify(value)}`)
    process.exit(2)
  }
  return number
}

async function main (): Promise<number> {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string' },
      runs: { type: 'string' },
      path: { type: 'string' },
      auth: { type: 'string' },
      help: { type: 'boolean', short: 'h' }
    }
  })
  if (values.help === true) {
    console.log('Usage: npm run fuzz -- [--seed N] [--runs N] [--path P] [--auth on|off]\n  env: FUZZ_SEED, FUZZ_RUNS, FUZZ_AUTH, REQUIRE_IF_MATCH')
    return 0
  }
  const auth = values.auth ?? process.env.FUZZ_AUTH ?? 'off'
  if (auth !== 'on' && auth !== 'off') {
    console.error(`--auth must be on or off, got ${JSON.stringify(auth)}`)
    return 2
  }
  const seed = integerOption('--seed', values.seed) ?? integerOption('FUZZ_SEED', process.env.FUZZ_SEED) ?? (Math.random() * 2 ** 31) | 0
  const numRuns = integerOption('--runs', values.runs) ?? integerOption('FUZZ_RUNS', process.env.FUZZ_RUNS) ?? DEFAULT_RUNS
  console.log(`contract fuzz: seed ${seed}, ${numRuns} runs, AUTH=${auth}${values.path === undefined ? '' : `, path ${values.path}`}`)

  // The run's uploads, and with AUTH=on its database file (where a first start makes the administrator), go to a directory of its own.
  const directory = mkdtempSync(join(tmpdir(), 'task-api-fuzz-'))
  const env: Record<string, string> = { ...TEST_ENV, ...FUZZ_ENV, UPLOADS_DIR: join(directory, 'uploads'), ...(process.env.REQUIRE_IF_MATCH === undefined ? {} : { REQUIRE_IF_MATCH: process.env.REQUIRE_IF_MATCH }) }
  try {
    const { app, authorization } = auth === 'off'
      ? { app: await buildApp(loadConfig(env)), authorization: undefined }
      : await buildAppWithAuthOn({ ...env, DATABASE_URL: join(directory, 'tasks.db') })
    try {
      await app.ready()
      return await fuzz({ app, seed, numRuns, path: values.path, authorization, jwtSecret: FUZZ_ENV.JWT_SECRET }, `npm run fuzz -- --auth ${auth}`)
    } finally {
      await app.close()
    }
  } finally {
    rmSync(directory, { recursive: true, force: true })
  }
}

/** Runs the fuzzer, prints what it found, and answers the exit code; `replay` is the command that runs it again. */
async function fuzz (options: FuzzOptions & { app: FastifyInstance }, replay: string): Promise<number> {
  const { app, seed } = options
  const outcome = await runContractFuzz(options)
  console.log(formatStatistics(outcome.statistics))
  const health = await app.inject({ method: 'GET', url: '/health' })
  console.log(`${outcome.statistics.requests} requests in ${(outcome.durationMs / 1000).toFixed(1)} s; GET /health after the run: ${health.statusCode}`)
  if (outcome.failed) {
    console.error(formatOutcome(outcome, replay))
    return 1
  }
  if (health.statusCode !== 200) {
    console.error(`seed ${seed}: GET /health answered ${health.statusCode} after the run: ${health.body}`)
    return 1
  }
  console.log(`no violation (seed ${seed})`)
  return 0
}

process.exitCode = await main().catch((error: unknown) => {
  console.error(error)
  return 1
})
