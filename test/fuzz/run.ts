/**
 * `npm run fuzz`: the contract fuzzer with more runs than the tap test and,
 * by default, a random seed. Options: --seed N, --runs N (or FUZZ_SEED,
 * FUZZ_RUNS), --path P (replay one counterexample of that seed).
 * REQUIRE_IF_MATCH=true in the environment fuzzes the app with that setting.
 * Exits 1 when a response breaks the contract, 0 otherwise.
 */
import { parseArgs } from 'node:util'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { TEST_ENV } from '../helper.js'
import { formatOutcome, formatStatistics, runContractFuzz } from './contract-fuzz.js'

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
      help: { type: 'boolean', short: 'h' }
    }
  })
  if (values.help === true) {
    console.log('Usage: npm run fuzz -- [--seed N] [--runs N] [--path P]\n  env: FUZZ_SEED, FUZZ_RUNS')
    return 0
  }
  const seed = integerOption('--seed', values.seed) ?? integerOption('FUZZ_SEED', process.env.FUZZ_SEED) ?? (Math.random() * 2 ** 31) | 0
  const numRuns = integerOption('--runs', values.runs) ?? integerOption('FUZZ_RUNS', process.env.FUZZ_RUNS) ?? DEFAULT_RUNS
  console.log(`contract fuzz: seed ${seed}, ${numRuns} runs${values.path === undefined ? '' : `, path ${values.path}`}`)

  // Load shedding off: the fuzzer's own work runs on the app's event loop.
  const env = { ...TEST_ENV, MAX_EVENT_LOOP_DELAY_MS: '0', ...(process.env.REQUIRE_IF_MATCH === undefined ? {} : { REQUIRE_IF_MATCH: process.env.REQUIRE_IF_MATCH }) }
  const app = await buildApp(loadConfig(env))
  await app.ready()
  try {
    const outcome = await runContractFuzz({ app, seed, numRuns, path: values.path })
    console.log(formatStatistics(outcome.statistics))
    const health = await app.inject({ method: 'GET', url: '/health' })
    console.log(`${outcome.statistics.requests} requests in ${(outcome.durationMs / 1000).toFixed(1)} s; GET /health after the run: ${health.statusCode}`)
    if (outcome.failed) {
      console.error(formatOutcome(outcome))
      return 1
    }
    if (health.statusCode !== 200) {
      console.error(`seed ${seed}: GET /health answered ${health.statusCode} after the run: ${health.body}`)
      return 1
    }
    console.log(`no violation (seed ${seed})`)
    return 0
  } finally {
    await app.close()
  }
}

process.exitCode = await main().catch((error: unknown) => {
  console.error(error)
  return 1
})
