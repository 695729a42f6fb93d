import { monitorEventLoopDelay } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { WebSocket } from 'ws'
import { FEED_PROTOCOL } from '../src/plugins/external/websocket.js'
import { percentile } from './latency-pass.js'
import type { Server } from './processes.js'

/** Issue 14's targets for a thousand subscribers of one project. */
export const WEBSOCKET_TARGETS = { p99Ms: 50, peakRssMb: 250 }

export interface WebSocketOptions {
  subscribers: number
  patches: number
  /** The PATCHes are sent on a fixed schedule, one this often, whether or not the one before was answered. */
  intervalMs: number
}

export interface WebSocketResult extends WebSocketOptions {
  /** Seconds from the first socket opened to the last one subscribed. */
  subscribeSeconds: number
  /** PATCHes not answered 200. */
  patchFailures: number
  /** Events of the PATCHes: those answered 200, or more if more reached a subscriber. */
  events: number
  /** Events received, duplicates included, by all subscribers together. */
  deliveries: number
  /** Events a subscriber never got, counted once per subscriber and event. */
  misses: number
  /** Events a subscriber got more than once, counted once per extra copy. */
  duplicates: number
  /** Sockets the server closed during the run. */
  closedByServer: number
  /** From sending the PATCH that committed an event to its receipt at each subscriber. */
  p50Ms: number
  p99Ms: number
  maxMs: number
  rssMbSubscribed: number
  rssMbAtEnd: number
  /** The server's high-water mark of resident memory, from its start (a fresh process) to the end of the run. */
  peakRssMb: number
  /** Where the time goes, at p99 over the events: the PATCH's answer; an event's first receipt; from its first receipt to its last. */
  patchAnsweredP99Ms: number
  firstReceiptP99Ms: number
  fanOutP99Ms: number
  /** The server's CPU use while the PATCHes were sent and delivered, in percent of one core. */
  serverCpuPercent: number
  /** This process's (the subscribers' and the PATCHes') event-loop delay at p99: time that counts toward the latency, spent here. */
  clientLoopDelayP99Ms: number
  holds: { p99: boolean, peakRss: boolean, noMisses: boolean }
}

// Sockets opened at once: a modest batch, so the server's accept backlog is never overrun.
const OPEN_BATCH = 50
// How long the events may take to reach everyone after the last PATCH was answered.
const DRAIN_TIMEOUT_MS = 5000
// The feed sends an event as its log entry with the `id` put first: reading the id needs no JSON parse.
const EVENT_ID = /^\{"id":(\d+),/

interface Subscriber {
  socket: WebSocket
  /** When each event was received, by its id (the first copy). */
  received: Map<number, number>
  duplicates: number
  /** Set when the benchmark closes the socket: a close before that was the server's. */
  closing: boolean
  closedByServer: boolean
}

/**
 * Opens one socket as a user would (the feed's subprotocol, no credential
 * with AUTH=off), joins the project's room, and records each event's
 * receipt time. The `titles` subscriber also reads every event whole, to
 * tell which PATCH (by its title) each event id is; the others only take
 * the id, so that the time recorded is not spent parsing.
 */
async function openSubscriber (wsUrl: string, project: string, titles?: Map<number, string>): Promise<Subscriber> {
  const socket = new WebSocket(wsUrl, [FEED_PROTOCOL])
  const subscriber: Subscriber = { socket, received: new Map(), duplicates: 0, closing: false, closedByServer: false }
  await new Promise<void>((resolve, reject) => {
    socket.on('message', (data) => {
      const at = performance.now()
      const text = data.toString()
      const id = EVENT_ID.exec(text)?.[1]
      if (id !== undefined) return receive(subscriber, Number(id), at, text, titles)
      const message = JSON.parse(text) as { type: string, detail?: string }
      if (message.type === 'ready') socket.send(JSON.stringify({ type: 'subscribe', project }))
      else if (message.type === 'subscribed') resolve()
      else if (message.type === 'error') reject(new Error(`the feed refused: ${message.detail}`))
    })
    socket.on('error', reject)
    socket.on('close', (code, reason) => {
      subscriber.closedByServer = !subscriber.closing
      reject(new Error(`the socket closed with ${code} ${reason.toString()}`))
    })
  })
  return subscriber
}

function receive (subscriber: Subscriber, id: number, at: number, text: string, titles: Map<number, string> | undefined) {
  if (subscriber.received.has(id)) {
    subscriber.duplicates += 1
    return
  }
  subscriber.received.set(id, at)
  if (titles === undefined) return
  const event = JSON.parse(text) as { type: string, data: { title: string } }
  if (event.type === 'task.updated') titles.set(id, event.data.title)
}

/** `count` subscribers of the project, opened a batch at a time; the first one reads titles into `titles`. */
async function openSubscribers (wsUrl: string, project: string, count: number, titles: Map<number, string>): Promise<Subscriber[]> {
  const subscribers: Subscriber[] = []
  for (let first = 0; first < count; first += OPEN_BATCH) {
    const batch = Array.from({ length: Math.min(OPEN_BATCH, count - first) }, (_, index) =>
      openSubscriber(wsUrl, project, first + index === 0 ? titles : undefined))
    subscribers.push(...await Promise.all(batch))
  }
  return subscribers
}

async function postJson<Answer> (url: string, body: object): Promise<Answer> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  if (response.status !== 201) throw new Error(`POST ${url} answered ${response.status}: ${await response.text()}`)
  return await response.json() as Answer
}

/**
 * PATCHes the task `patches` times on a fixed schedule, each with a title
 * of its own (If-Match is optional, and left out so that a PATCH sent
 * before the last one was answered is not refused). Answers when each
 * title was sent, and how many PATCHes were not answered 200.
 */
async function patchOnSchedule (url: string, taskId: number, { patches, intervalMs }: WebSocketOptions) {
  const sentAt = new Map<string, number>()
  const answeredIn: number[] = []
  const answers: Array<Promise<boolean>> = []
  const started = performance.now()
  for (let index = 0; index < patches; index++) {
    await sleep(Math.max(0, started + index * intervalMs - performance.now()))
    const title = `WebSocket bench update ${index + 1} of ${patches}`
    const sent = performance.now()
    sentAt.set(title, sent)
    answers.push(fetch(`${url}/tasks/${taskId}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title }) })
      .then(async (response) => {
        await response.arrayBuffer()
        answeredIn.push(performance.now() - sent)
        return response.status === 200
      }, () => false))
  }
  const answered = await Promise.all(answers)
  return { sentAt, answeredIn, patchFailures: answered.filter((ok) => !ok).length }
}

const ascending = (a: number, b: number) => a - b
const percentileOf = (sorted: number[], share: number) => sorted.length === 0 ? Number.NaN : percentile(sorted, share)

/** For each event, milliseconds from its PATCH being sent to its first receipt and to its last, over every subscriber. */
function receiptSpans (subscribers: Subscriber[], titles: Map<number, string>, sentAt: Map<string, number>): Array<{ first: number, last: number }> {
  return [...titles].flatMap(([id, title]) => {
    const sent = sentAt.get(title)
    const times = subscribers.flatMap(({ received }) => received.get(id) ?? [])
    return sent === undefined || times.length === 0 ? [] : [{ first: Math.min(...times) - sent, last: Math.max(...times) - sent }]
  })
}

/** Waits until every subscriber has `events` events, or DRAIN_TIMEOUT_MS has passed. */
async function drain (subscribers: Subscriber[], events: number): Promise<void> {
  const deadline = performance.now() + DRAIN_TIMEOUT_MS
  while (performance.now() < deadline && subscribers.some(({ received }) => received.size < events)) await sleep(10)
}

/** Closes every socket with the closing handshake, cutting off any that has not finished it in a few seconds. */
async function closeAll (subscribers: Subscriber[]): Promise<void> {
  await Promise.all(subscribers.map(async (subscriber) => {
    const { socket } = subscriber
    if (socket.readyState === WebSocket.CLOSED) return
    subscriber.closing = true
    const closed = new Promise((resolve) => socket.once('close', resolve))
    socket.close(1000, 'The benchmark is done.')
    const cutOff = setTimeout(() => socket.terminate(), DRAIN_TIMEOUT_MS)
    await closed
    clearTimeout(cutOff)
  }))
}

/**
 * Issue 14: `subscribers` WebSockets in one project's room on `server` (a
 * fresh process, so that its peak memory is this case's), one task of the
 * project PATCHed on a schedule, and the latency from each PATCH being sent
 * to its event's receipt at every subscriber; every subscriber must get
 * every event, once.
 */
export async function websocketSubscribers (server: Server, options: WebSocketOptions): Promise<WebSocketResult> {
  const wsUrl = server.url.replace(/^http/, 'ws') + '/ws'
  // With AUTH=off a request without a token is the local administrator, who may create projects and see them all.
  const { slug } = await postJson<{ slug: string }>(`${server.url}/projects`, { name: `WebSocket bench ${Date.now()}` })
  // Created before anyone subscribes: the subscribers' events are the PATCHes' alone.
  const task = await postJson<{ id: number }>(`${server.url}/tasks`, { title: 'WebSocket bench task', project: slug })

  const titles = new Map<number, string>()
  const subscribeStarted = performance.now()
  const subscribers = await openSubscribers(wsUrl, slug, options.subscribers, titles)
  const subscribeSeconds = (performance.now() - subscribeStarted) / 1000
  const rssMbSubscribed = server.rssMb()

  const loopDelay = monitorEventLoopDelay({ resolution: 1 })
  loopDelay.enable()
  const cpuStarted = server.cpuSeconds()
  const runStarted = performance.now()
  const { sentAt, answeredIn, patchFailures } = await patchOnSchedule(server.url, task.id, options)
  await drain(subscribers, options.patches - patchFailures)
  const serverCpuPercent = 100 * (server.cpuSeconds() - cpuStarted) / ((performance.now() - runStarted) / 1000)
  loopDelay.disable()
  const rssMbAtEnd = server.rssMb()
  const peakRssMb = server.peakRssMb()

  // A PATCH whose answer was lost may still have committed: its event counts too.
  const events = Math.max(options.patches - patchFailures, new Set(subscribers.flatMap(({ received }) => [...received.keys()])).size)
  const latencies = subscribers.flatMap(({ received }) => [...received].flatMap(([id, at]) => {
    const sent = sentAt.get(titles.get(id) ?? '')
    return sent === undefined ? [] : [at - sent]
  })).sort(ascending)
  const receipts = receiptSpans(subscribers, titles, sentAt)
  const duplicates = subscribers.reduce((sum, subscriber) => sum + subscriber.duplicates, 0)
  const deliveries = subscribers.reduce((sum, { received }) => sum + received.size, 0) + duplicates
  const misses = subscribers.reduce((sum, { received }) => sum + events - received.size, 0)
  const closedByServer = subscribers.filter((subscriber) => subscriber.closedByServer).length
  await closeAll(subscribers)

  const p99Ms = percentileOf(latencies, 0.99)
  return {
    ...options,
    subscribeSeconds,
    patchFailures,
    events,
    deliveries,
    misses,
    duplicates,
    closedByServer,
    p50Ms: percentileOf(latencies, 0.5),
    p99Ms,
    maxMs: latencies.at(-1) ?? Number.NaN,
    rssMbSubscribed,
    rssMbAtEnd,
    peakRssMb,
    patchAnsweredP99Ms: percentileOf(answeredIn.sort(ascending), 0.99),
    firstReceiptP99Ms: percentileOf(receipts.map(({ first }) => first).sort(ascending), 0.99),
    fanOutP99Ms: percentileOf(receipts.map(({ first, last }) => last - first).sort(ascending), 0.99),
    serverCpuPercent,
    clientLoopDelayP99Ms: loopDelay.percentile(99) / 1e6,
    holds: { p99: p99Ms <= WEBSOCKET_TARGETS.p99Ms, peakRss: peakRssMb <= WEBSOCKET_TARGETS.peakRssMb, noMisses: misses === 0 && closedByServer === 0 }
  }
}
