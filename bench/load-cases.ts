import autocannon from 'autocannon'
import { CLIENTS, generateTasks } from '../src/db/generated-tasks.js'

/** One kind of request to load the server with. */
export interface LoadCase {
  name: string
  method: 'GET' | 'POST' | 'PATCH'
  /** Sent with every request of the case (a bearer token, say). */
  headers?: Record<string, string>
  /** The next request's path (and body); called for every request sent. */
  next: () => { path: string, body?: string }
}

export interface LoadResult {
  name: string
  requestsPerSecond: number
  p50Ms: number
  p99Ms: number
  /** Answers that were not 2xx, and connection errors and timeouts: all must be 0. */
  failures: number
}

const randomItem = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T
const LATITUDES = Array.from({ length: 10 }, (_, index) => 40 + index)
const LONGITUDES = Array.from({ length: 10 }, (_, index) => -5 + index)

/**
 * The cases of `npm run bench`, over a database whose live task ids are
 * `liveIds`; `token` is an administrator's access token, sent by one case.
 */
export function loadCases (liveIds: number[], token: string): LoadCase[] {
  const bodies = [...generateTasks(1000)].map(({ title, description, status, priority, assignee }) =>
    JSON.stringify({ title, description, status, priority, assignee }))
  return [
    { name: 'GET one task (random ids)', method: 'GET', next: () => ({ path: `/tasks/${randomItem(liveIds)}` }) },
    // The same, authenticated: the token's signature and its user are checked on every request.
    { name: 'GET one task (bearer token)', method: 'GET', headers: { authorization: `Bearer ${token}` }, next: () => ({ path: `/tasks/${randomItem(liveIds)}` }) },
    { name: 'list: default page', method: 'GET', next: () => ({ path: '/tasks' }) },
    { name: 'list: status + priority, by title', method: 'GET', next: () => ({ path: '/tasks?status=in_progress&priority=2&sort_by=title&sort_order=asc' }) },
    { name: 'list: search q (client name)', method: 'GET', next: () => ({ path: `/tasks?q=${encodeURIComponent(randomItem(CLIENTS))}` }) },
    { name: 'list: deep page (offset 10000)', method: 'GET', next: () => ({ path: '/tasks?offset=10000' }) },
    { name: 'list: overdue, by due time', method: 'GET', next: () => ({ path: '/tasks?overdue=true&sort_by=due_at&sort_order=asc' }) },
    // A hundred places, all in the cache after the warm-up: what a cached answer costs (the weather service is a local fake).
    { name: 'GET /weather (cached)', method: 'GET', next: () => ({ path: `/weather?latitude=${randomItem(LATITUDES)}&longitude=${randomItem(LONGITUDES)}` }) },
    { name: 'POST a task', method: 'POST', next: () => ({ path: '/tasks', body: randomItem(bodies) }) },
    {
      name: 'PATCH a task',
      method: 'PATCH',
      next: () => ({
        path: `/tasks/${randomItem(liveIds)}`,
        body: JSON.stringify({ priority: 1 + Math.floor(Math.random() * 5), title: `Renamed ${Math.random().toString(36).slice(2)}` })
      })
    }
  ]
}

/** Loads `url` with one case for `seconds`, over `connections` kept-alive connections. */
export async function load (url: string, loadCase: LoadCase, seconds: number, connections = 10): Promise<LoadResult> {
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    requests: [{
      method: loadCase.method,
      headers: { ...loadCase.headers, ...(loadCase.method === 'GET' ? {} : { 'content-type': 'application/json' }) },
      setupRequest: (request) => ({ ...request, ...loadCase.next() })
    }]
  })
  return {
    name: loadCase.name,
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    failures: result.non2xx + result.errors + result.timeouts
  }
}
