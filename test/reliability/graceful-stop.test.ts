import t from 'tap'
import { Agent, request, type IncomingHttpHeaders } from 'node:http'
import { connect, type Socket } from 'node:net'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { startServer, temporaryDirectory, type RunningServer } from '../helper.js'

// Nothing broken by a stop: SIGTERM while ~50 requests are in flight over
// kept-alive connections. Every request the server had accepted before it
// began to shut down gets its normal answer; a request sent once it is
// shutting down is refused at the connection level or answered with a 503
// problem (Retry-After, Connection: close); anything else (a 500, a 503 that
// is not a problem, a 200 to a request sent after shutdown began) fails. The
// process exits 0 within EXIT_BOUND_MS, and every 201 it sent is in the
// database when it is started again.
//
// "Accepted before it began to shut down" is read from the server's own log,
// which one thread writes in order: the request's "incoming request" line
// comes before the "shutting down" line. That line is written at debug (at
// info there is one line per request, once it is answered), so this server
// logs at debug.

const HELD_POSTS = 20
const PIPELINED = 3
const LOOPS = 30
const AFTER_WAVE = 20
const EXIT_BOUND_MS = 10_000

type Phase = 'before the signal' | 'signal sent' | 'shutting down'

type Outcome =
  | { kind: 'answer', status: number, headers: IncomingHttpHeaders, text: string }
  | { kind: 'refused', code: string }
  | { kind: 'error', message: string }

interface Sent {
  id: string
  method: 'GET' | 'POST'
  path: string
  /** The title of a POST, to recognise its task. */
  title?: string
  phase: Phase
  sentAt: number
  answeredAt?: number
  outcome?: Outcome
}

/** Connection-level refusals: the request was never taken. */
const REFUSALS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE'])

const outcomeOfError = (error: NodeJS.ErrnoException): Outcome =>
  error.code !== undefined && REFUSALS.has(error.code) ? { kind: 'refused', code: error.code } : { kind: 'error', message: `${error.code ?? ''} ${error.message}` }

t.test('SIGTERM with requests in flight: accepted ones finish, later ones are refused or 503, exit 0, nothing lost', async (t) => {
  const file = join(temporaryDirectory(t), 'tasks.db')
  const server = await startServer(t, { DATABASE_URL: file, LOG_LEVEL: 'debug' })
  const { port } = new URL(server.url)
  const agent = new Agent({ keepAlive: true, maxSockets: 100 })
  t.teardown(() => agent.destroy())

  let phase: Phase = 'before the signal'
  const sent: Sent[] = []
  let exited = false
  void server.exited.then(() => { exited = true })

  /** Sends a request (a POST's body possibly in two parts) and records its outcome; never rejects. */
  function send (method: 'GET' | 'POST', path: string, id: string, title?: string, holdBody?: Promise<void>): Promise<Sent> {
    const record: Sent = { id, method, path, ...(title === undefined ? {} : { title }), phase, sentAt: performance.now() }
    sent.push(record)
    const body = title === undefined ? undefined : JSON.stringify({ title, priority: 1 + (sent.length % 5) })
    return new Promise((resolve) => {
      const settle = (outcome: Outcome) => {
        if (record.outcome !== undefined) return
        record.outcome = outcome
        record.answeredAt = performance.now()
        resolve(record)
      }
      const req = request({
        agent,
        port,
        host: '127.0.0.1',
        method,
        path,
        headers: {
          'x-request-id': id,
          ...(body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
        }
      }, (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => { text += chunk })
        res.on('end', () => settle({ kind: 'answer', status: res.statusCode ?? 0, headers: res.headers, text }))
        res.on('error', (error) => settle(outcomeOfError(error)))
      })
      req.setTimeout(EXIT_BOUND_MS * 2, () => req.destroy(new Error('timed out')))
      req.on('error', (error) => settle(outcomeOfError(error)))
      if (body === undefined) req.end()
      else if (holdBody === undefined) req.end(body)
      else {
        // Half the body now, the rest once told: the request is in flight until then.
        req.write(body.slice(0, 10))
        void holdBody.then(() => req.end(body.slice(10)))
      }
    })
  }

  // Some tasks, so that a list has a page to serialise.
  for (let i = 0; i < 60; i++) {
    const record = await send('POST', '/tasks', `seed-${i}`, `graceful seed ${i}`)
    t.equal(answerOf(record)?.status, 201, `seed ${i}`)
  }
  const seeded = sent.length

  // 1. POSTs held open mid-body, and raw connections holding a POST mid-body
  //    on which another request is pipelined once the server is shutting down.
  let releaseHeld = () => {}
  const held = new Promise<void>((resolve) => { releaseHeld = resolve })
  const heldPosts = Array.from({ length: HELD_POSTS }, (_, i) => send('POST', '/tasks', `held-${i}`, `graceful held ${i}`, held))
  const pipelined = Array.from({ length: PIPELINED }, (_, i) => pipelinedConnection(Number(port), i))
  await waitForLog(server, [...Array.from({ length: HELD_POSTS }, (_, i) => `held-${i}`), ...Array.from({ length: PIPELINED }, (_, i) => `pipe-${i}`)])

  // 2. A steady load of lists and creates on kept-alive connections; each
  //    loop stops at its first refusal or 503, or when the server is gone.
  const loop = async (i: number) => {
    for (let n = 0; !exited; n++) {
      const record = n % 2 === 0
        ? await send('GET', '/tasks?limit=50', `loop-${i}-${n}`)
        : await send('POST', '/tasks', `loop-${i}-${n}`, `graceful loop ${i} ${n}`)
      const outcome = record.outcome as Outcome
      if (outcome.kind !== 'answer' || outcome.status >= 300) return
    }
  }
  const loops = Array.from({ length: LOOPS }, (_, i) => loop(i))
  await sleep(300)

  // 3. The signal, mid-load.
  const signalledAt = performance.now()
  phase = 'signal sent'
  server.process.kill('SIGTERM')
  await waitForLog(server, [], 'shutting down')
  phase = 'shutting down'

  // 4. Now finish the held requests (and pipeline one more on the raw
  //    connections), and send a wave of new requests.
  releaseHeld()
  for (const connection of pipelined) connection.release()
  const afterWave = Array.from({ length: AFTER_WAVE }, (_, i) => i % 2 === 0
    ? send('GET', '/tasks', `after-${i}`)
    : send('POST', '/tasks', `after-${i}`, `graceful after ${i}`))

  const code = await Promise.race([server.exited, sleep(EXIT_BOUND_MS).then(() => 'still running' as const)])
  const exitMs = performance.now() - signalledAt
  t.equal(code, 0, `the process exits 0 within ${EXIT_BOUND_MS / 1000} s of SIGTERM (it took ${(exitMs / 1000).toFixed(2)} s)`)
  if (code !== 0) {
    // The usual cause: answers finished during shutdown that keep their
    // connection alive, which the server then waits for (the client here,
    // like a proxy's pool, has no idle timeout of its own).
    const keptAlive = sent.filter((record) => (record.answeredAt ?? 0) > signalledAt && answerOf(record)?.headers.connection === 'keep-alive')
    t.comment(`${keptAlive.length} answers sent after the signal said Connection: keep-alive; ` +
      `${Object.values(agent.freeSockets).flat().length} kept-alive connections still open; the server's last line: ${server.output().trim().split('\n').at(-1)}`)
  }
  if (code === 'still running') server.process.kill('SIGKILL')

  await Promise.all([...heldPosts, ...loops, ...afterWave])
  const pipes = await Promise.all(pipelined.map((connection) => connection.result))

  // What the server accepted before it began to shut down, from its log.
  const log = server.output().split('\n').flatMap((line) => {
    try { return [JSON.parse(line) as { msg?: string, reqId?: string }] } catch { return [] }
  })
  const shutdownLine = log.findIndex((line) => line.msg === 'shutting down')
  t.ok(shutdownLine >= 0, 'the server logged that it was shutting down')
  const acceptedBefore = new Set(log.slice(0, shutdownLine).filter((line) => line.msg === 'incoming request').map((line) => line.reqId))

  // Every request's outcome against the rules.
  const counts: Record<string, number> = {}
  const wrong: Array<{ id: string, phase: Phase, rule: string, outcome: Outcome | undefined }> = []
  for (const record of sent.slice(seeded)) {
    const outcome = record.outcome
    const accepted = acceptedBefore.has(record.id)
    const rule = accepted
      ? 'accepted before shutdown: its normal answer'
      : record.phase === 'shutting down'
        ? 'sent once shutting down: refused or a 503 problem'
        : 'sent before shutdown, not yet accepted: normal, refused or a 503 problem'
    const normal = isNormalAnswer(record)
    const turnedAway = outcome?.kind === 'refused' || isShutdownProblem(outcome)
    const ok = accepted ? normal : record.phase === 'shutting down' ? turnedAway : normal || turnedAway
    const what = normal ? 'normal' : outcome?.kind === 'refused' ? `refused (${outcome.code})` : isShutdownProblem(outcome) ? '503 problem' : 'WRONG'
    counts[`${accepted ? 'accepted' : record.phase}: ${what}`] = (counts[`${accepted ? 'accepted' : record.phase}: ${what}`] ?? 0) + 1
    if (!ok) wrong.push({ id: record.id, phase: record.phase, rule, outcome })
  }
  t.same(wrong.slice(0, 10), [], `every request answered by the rules (${wrong.length} not)`)

  const heldRecords = await Promise.all(heldPosts)
  t.ok(heldRecords.every((record) => acceptedBefore.has(record.id) && isNormalAnswer(record)),
    `all ${HELD_POSTS} POSTs held mid-body across the signal were answered 201`)
  const inFlightAtSignal = sent.slice(seeded).filter((record) => acceptedBefore.has(record.id) && record.sentAt < signalledAt && (record.answeredAt ?? Infinity) > signalledAt)
  t.ok(inFlightAtSignal.length >= HELD_POSTS, `${inFlightAtSignal.length} accepted requests were in flight at the signal`)
  t.comment(`outcomes: ${JSON.stringify(counts)}`)

  for (const [i, pipe] of pipes.entries()) {
    t.match(pipe.first, { status: 201 }, `pipelined connection ${i}: the POST held across the signal is answered 201`)
    if (pipe.first?.status === 201) t.equal(JSON.parse(pipe.first.text).title, `graceful pipe ${i}`)
    const second = pipe.second
    t.ok(second === undefined || isShutdownProblem({ kind: 'answer', ...second }),
      `pipelined connection ${i}: the request pipelined during shutdown is refused or a 503 problem` +
        (second === undefined ? ' (refused)' : ` (${second.status} ${String(second.headers['content-type'])})`),
      { second })
  }

  // Every 201 the server sent is in the database.
  const created = sent.filter(isNormalAnswer).filter((record) => record.method === 'POST').map((record) => JSON.parse(answerOf(record)?.text ?? '{}') as { id: number })
  for (const pipe of pipes) if (pipe.first?.status === 201) created.push(JSON.parse(pipe.first.text) as { id: number })
  const restarted = await startServer(t, { DATABASE_URL: file })
  let missing = 0
  for (const task of created) {
    const response = await fetch(`${restarted.url}/tasks/${task.id}`)
    const body = await response.json()
    if (response.status !== 200 || JSON.stringify(body) !== JSON.stringify(task)) {
      if (++missing <= 10) t.same({ status: response.status, body }, { status: 200, body: task }, `task ${task.id} as created`)
    }
  }
  t.equal(missing, 0, `all ${created.length} tasks answered 201 are in the database, as answered`)
  t.equal(await restarted.stop(), 0, 'and the restarted server stops cleanly')
})

function answerOf (record: Sent): Extract<Outcome, { kind: 'answer' }> | undefined {
  return record.outcome?.kind === 'answer' ? record.outcome : undefined
}

/** The answer a request gets from a server that is not shutting down. */
function isNormalAnswer (record: Sent): boolean {
  const answer = answerOf(record)
  if (answer === undefined || !String(answer.headers['content-type']).startsWith('application/json')) return false
  const body = parseJson(answer.text)
  if (record.method === 'GET') {
    return answer.status === 200 && Array.isArray(body?.items) && typeof body?.total === 'number' &&
      (body.items as Array<{ id?: unknown }>).every((item) => typeof item.id === 'number')
  }
  return answer.status === 201 && typeof body?.id === 'number' && body.title === record.title && body.version === 1 &&
    answer.headers.location === `/tasks/${body.id}`
}

/** A 503 problem telling the client to come back: problem+json, Retry-After, Connection: close. */
function isShutdownProblem (outcome: Outcome | undefined): boolean {
  if (outcome?.kind !== 'answer' || outcome.status !== 503) return false
  const body = parseJson(outcome.text)
  return String(outcome.headers['content-type']).startsWith('application/problem+json') &&
    body?.status === 503 && typeof body.type === 'string' && typeof body.title === 'string' &&
    outcome.headers['retry-after'] !== undefined && String(outcome.headers.connection).toLowerCase() === 'close'
}

function parseJson (text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text) as unknown
    return typeof value === 'object' && value !== null ? value as Record<string, unknown> : undefined
  } catch {
    return undefined
  }
}

/** Resolves once the server has logged "incoming request" for each id (and `msg`, if given). */
async function waitForLog (server: RunningServer, ids: string[], msg?: string): Promise<void> {
  for (;;) {
    const output = server.output()
    if (ids.every((id) => output.includes(`"reqId":"${id}","req"`)) && (msg === undefined || output.includes(`"msg":"${msg}"`))) return
    await sleep(5)
  }
}

interface RawResponse { status: number, headers: IncomingHttpHeaders, text: string }

/**
 * A raw connection holding a POST mid-body. `release()` sends the rest of
 * the body and, on the same connection, a pipelined GET /tasks. `result`
 * holds the answers read before the server closed the connection.
 */
function pipelinedConnection (port: number, i: number): { release: () => void, result: Promise<{ first?: RawResponse, second?: RawResponse }> } {
  const body = JSON.stringify({ title: `graceful pipe ${i}` })
  const socket: Socket = connect(port, '127.0.0.1')
  socket.write(`POST /tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nX-Request-ID: pipe-${i}\r\n\r\n${body.slice(0, 10)}`)
  const result = new Promise<{ first?: RawResponse, second?: RawResponse }>((resolve) => {
    let data = Buffer.alloc(0)
    socket.on('data', (chunk: Buffer) => { data = Buffer.concat([data, chunk]) })
    socket.on('error', () => {})
    socket.on('close', () => {
      const [first, second] = parseResponses(data)
      resolve({ ...(first === undefined ? {} : { first }), ...(second === undefined ? {} : { second }) })
    })
  })
  return {
    release: () => socket.write(`${body.slice(10)}GET /tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-ID: pipe-next-${i}\r\n\r\n`),
    result
  }
}

/** The complete HTTP/1.1 responses (Content-Length or chunked bodies) in `data`. */
function parseResponses (data: Buffer): RawResponse[] {
  const responses: RawResponse[] = []
  let rest = data
  for (;;) {
    const end = rest.indexOf('\r\n\r\n')
    if (end < 0) return responses
    const [statusLine = '', ...headerLines] = rest.subarray(0, end).toString('latin1').split('\r\n')
    const headers: IncomingHttpHeaders = {}
    for (const line of headerLines) {
      const colon = line.indexOf(':')
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
    }
    let bodyStart = end + 4
    let text = ''
    if (headers['transfer-encoding'] === 'chunked') {
      for (;;) {
        const lineEnd = rest.indexOf('\r\n', bodyStart)
        if (lineEnd < 0) return responses
        const size = parseInt(rest.subarray(bodyStart, lineEnd).toString('latin1'), 16)
        if (rest.length < lineEnd + 2 + size + 2) return responses
        text += rest.subarray(lineEnd + 2, lineEnd + 2 + size).toString('utf8')
        bodyStart = lineEnd + 2 + size + 2
        if (size === 0) break
      }
    } else {
      const length = Number(headers['content-length'] ?? 0)
      if (rest.length < bodyStart + length) return responses
      text = rest.subarray(bodyStart, bodyStart + length).toString('utf8')
      bodyStart += length
    }
    responses.push({ status: Number(statusLine.split(' ')[1]), headers, text })
    rest = rest.subarray(bodyStart)
  }
}
