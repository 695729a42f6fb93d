import { LATENCY_GROUPS, type LatencyGroup } from './latency-pass.js'
import type { LoadResult } from './load-cases.js'

/** What the targets are checked against: one server's run on one database of one size. */
export interface MeasuredSize {
  database: string
  tasks: number
  seedSeconds: number
  startupMs: number
  rssMbAtEnd: number
  cases: Array<LoadResult & { ratio: number }>
  latency?: LatencyGroup[]
}

export interface TargetResult {
  target: string
  database: string
  measured: string
  holds: boolean
}

const MILLION = 1_000_000

// The targets of issue 18: ratios to the ceiling of the same run, on a
// million tasks; one-connection latencies on a million tasks; memory at the
// end of every server's run; start and seed at a million.
const RATIO_TARGETS: Array<{ name: string, atLeast: number }> = [
  { name: 'GET one task (random ids)', atLeast: 0.40 },
  { name: 'list: default page', atLeast: 0.18 },
  { name: 'list: status + priority, by title', atLeast: 0.15 },
  { name: 'POST a task', atLeast: 0.10 },
  { name: 'PATCH a task', atLeast: 0.08 }
]
const LATENCY_TARGETS: Array<{ group: string, label: string, p99AtMostMs: number }> = [
  { group: LATENCY_GROUPS.firstPage, label: 'every filter x sort, first page', p99AtMostMs: 5 },
  { group: LATENCY_GROUPS.deepPage, label: 'every filter x sort, offset 10000', p99AtMostMs: 5 },
  { group: LATENCY_GROUPS.clientName, label: 'q matching <= 1,000 tasks (a client name)', p99AtMostMs: 10 },
  { group: LATENCY_GROUPS.commonWord, label: 'q, a common word (2-13% of tasks)', p99AtMostMs: 100 },
  { group: LATENCY_GROUPS.shortTerm, label: 'q of 1-2 characters', p99AtMostMs: 250 }
]
const RSS_AT_MOST_MB = 150
const STARTUP_AT_MOST_MS = 1000
const SEED_UNDER_SECONDS = 60

/** Every target of issue 18 that the run measured, each with whether it holds. */
export function speedTargets (sizes: MeasuredSize[]): TargetResult[] {
  const results: TargetResult[] = []
  for (const size of sizes) {
    const { database } = size
    if (size.tasks === MILLION) {
      for (const { name, atLeast } of RATIO_TARGETS) {
        const measured = size.cases.find((result) => result.name === name)
        if (measured !== undefined) results.push({ target: `${name} >= ${atLeast.toFixed(2)}x ceiling`, database, measured: `${measured.ratio.toFixed(3)}x`, holds: measured.ratio >= atLeast })
      }
      for (const { group, label, p99AtMostMs } of LATENCY_TARGETS) {
        const measured = size.latency?.find((candidate) => candidate.name === group)
        if (measured !== undefined) results.push({ target: `${label}: p99 <= ${p99AtMostMs} ms (one connection)`, database, measured: `${measured.p99Ms.toFixed(1)} ms`, holds: measured.p99Ms <= p99AtMostMs })
      }
      results.push({ target: `start to healthy <= ${STARTUP_AT_MOST_MS} ms`, database, measured: `${size.startupMs.toFixed(0)} ms`, holds: size.startupMs <= STARTUP_AT_MOST_MS })
      if (database === 'sqlite') results.push({ target: `seed < ${SEED_UNDER_SECONDS} s`, database, measured: `${size.seedSeconds.toFixed(1)} s`, holds: size.seedSeconds < SEED_UNDER_SECONDS })
    }
    results.push({ target: `RSS at the end <= ${RSS_AT_MOST_MB} MB (${size.tasks.toLocaleString('en')} tasks)`, database, measured: `${size.rssMbAtEnd.toFixed(0)} MB`, holds: size.rssMbAtEnd <= RSS_AT_MOST_MB })
  }
  return results
}
