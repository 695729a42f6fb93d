import { Agent, request } from 'node:http'
import { CLIENTS } from '../src/db/generated-tasks.js'
import { TASK_SORT_FIELDS, TASK_STATUSES, SORT_ORDERS } from '../src/schemas/task.js'

/** Latencies of one group of list shapes, one request at a time. */
export interface LatencyGroup {
  name: string
  shapes: number
  requests: number
  p50Ms: number
  p99Ms: number
  maxMs: number
  /** The shape of the slowest request. */
  slowest: string
}

const agent = new Agent({ keepAlive: true, maxSockets: 1 })

async function timedGet (url: string): Promise<number> {
  const started = process.hrtime.bigint()
  await new Promise<void>((resolve, reject) => {
    request(url, { agent }, (response) => {
      response.resume()
      response.on('end', () => response.statusCode === 200 ? resolve() : reject(new Error(`${url} answered ${response.statusCode}`)))
    }).on('error', reject).end()
  })
  return Number(process.hrtime.bigint() - started) / 1e6
}

/** The value at `share` (0.99 for p99) of ascending `sorted` values. */
export const percentile = (sorted: number[], share: number) => sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)] as number

/** Every combination of the list's filters and sorts, as query strings. */
function filterAndSortShapes (): string[] {
  const shapes: string[] = []
  for (const status of [undefined, ...TASK_STATUSES]) {
    for (const priority of [undefined, 1, 2, 3, 4, 5]) {
      for (const includeDeleted of [false, true]) {
        for (const sortBy of TASK_SORT_FIELDS) {
          for (const sortOrder of SORT_ORDERS) {
            const params = new URLSearchParams({ sort_by: sortBy, sort_order: sortOrder })
            if (status !== undefined) params.set('status', status)
            if (priority !== undefined) params.set('priority', String(priority))
            if (includeDeleted) params.set('include_deleted', 'true')
            shapes.push(params.toString())
          }
        }
      }
    }
  }
  return shapes
}

/** Renames a task (to one of two titles in turn), untimed: a write that any list may show. */
async function renameTask (baseUrl: string, id: number, round: number): Promise<void> {
  const response = await fetch(`${baseUrl}/tasks/${id}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ title: `Renamed by the latency pass ${round % 2}` })
  })
  if (response.status !== 200) throw new Error(`PATCH /tasks/${id} answered ${response.status}`)
}

/**
 * Times each shape's request, `repeats` times. Each request follows a write
 * (untimed), so that none is answered from the pages the server remembers
 * while nothing changes: these are the times of reading a list.
 */
async function measure (name: string, baseUrl: string, renamedTaskId: number, shapes: string[], repeats: number, extra: () => string = () => ''): Promise<LatencyGroup> {
  const timings: Array<{ ms: number, shape: string }> = []
  let writes = 0
  for (let round = 0; round < repeats; round++) {
    for (const shape of shapes) {
      const query = shape + extra()
      await renameTask(baseUrl, renamedTaskId, writes++)
      timings.push({ ms: await timedGet(`${baseUrl}/tasks?${query}`), shape: query })
    }
  }
  const sorted = timings.map(({ ms }) => ms).sort((a, b) => a - b)
  const slowest = timings.reduce((worst, timing) => timing.ms > worst.ms ? timing : worst)
  return {
    name,
    shapes: shapes.length,
    requests: timings.length,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    maxMs: slowest.ms,
    slowest: slowest.shape
  }
}

/** The groups of the single-connection pass, by name. */
export const LATENCY_GROUPS = {
  firstPage: 'filters x sorts, first page',
  deepPage: 'filters x sorts, offset 10000',
  clientName: 'q (client name, 3+ chars) x filters x sorts',
  commonWord: 'q (common word, 3+ chars)',
  shortTerm: 'q (1-2 chars)'
} as const

/**
 * The single-connection pass: every list shape in turn (each filter
 * combination with each sort, at the first page and at offset 10,000; then
 * with a search term of 3 or more characters and with a shorter one).
 */
export async function latencyPass (baseUrl: string, renamedTaskId: number): Promise<LatencyGroup[]> {
  const shapes = filterAndSortShapes()
  const client = () => `&q=${encodeURIComponent(CLIENTS[Math.floor(Math.random() * CLIENTS.length)] as string)}`
  // Warm-up: the first request of each shape prepares its statement.
  await measure('warm-up', baseUrl, renamedTaskId, shapes, 1)
  return [
    await measure(LATENCY_GROUPS.firstPage, baseUrl, renamedTaskId, shapes, 3),
    await measure(LATENCY_GROUPS.deepPage, baseUrl, renamedTaskId, shapes, 2, () => '&offset=10000'),
    // A client's name is in about 900 of a million tasks.
    await measure(LATENCY_GROUPS.clientName, baseUrl, renamedTaskId, shapes, 2, client),
    // Words in 2% to 13% of all tasks: the cost follows the number of matches.
    await measure(LATENCY_GROUPS.commonWord, baseUrl, renamedTaskId, ['q=Tokyo', 'q=ticket%20%234', 'q=budget', 'q=release%20notes'], 3),
    await measure(LATENCY_GROUPS.shortTerm, baseUrl, renamedTaskId, ['q=ab', 'q=e', 'q=zq', 'q=7', 'q=%25'], 4)
  ]
}
