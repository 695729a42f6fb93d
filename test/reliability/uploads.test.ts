import t, { type Test } from 'tap'
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { Agent, request, type ClientRequest, type IncomingMessage } from 'node:http'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { startServer, temporaryDirectory, type RunningServer } from '../helper.js'
import { multipartBody } from '../multipart.js'
import { ON_POSTGRES, postgresTestUrl } from '../postgres.js'

// Uploads through the real server process, over real HTTP: a large file is
// streamed to disk rather than held in memory, and neither a crash mid-upload
// nor a client that gives up halfway leaves a file behind.

const MiB = 1024 * 1024
/** What the client writes at a time: random bytes, so that no part of a file is the boundary. */
const CHUNK_BYTES = 64 * 1024

/** Where the killed server keeps its rows: a file a restart opens again, or a schema of its own. */
const DATABASES = {
  sqlite: async (t: Test) => join(temporaryDirectory(t), 'tasks.db'),
  postgres: postgresTestUrl
}

/** The database of a test that does not restart its server: the pass's own. */
async function passDatabase (t: Test): Promise<string> {
  return ON_POSTGRES ? await postgresTestUrl(t) : ':memory:'
}

interface Answer { status: number, text: string }

interface Attachment { id: number, sha256: string, size: number }

/**
 * One file of `size` random bytes sent as a multipart/form-data body written
 * by hand (the declared Content-Length is the whole body's), `sendBytes` of
 * it at most: with fewer, the request is left open, its body unfinished.
 */
function upload (url: string, taskId: number, size: number, { sendBytes = size } = {}) {
  const boundary = `uploads-test-${randomUUID()}`
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="random.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`)
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`)
  const req = request(new URL(`/tasks/${taskId}/attachments`, url), {
    method: 'POST',
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': head.length + size + tail.length }
  })
  const answer = new Promise<Answer>((resolve, reject) => {
    req.on('response', (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => { text += chunk })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }))
      res.on('error', reject)
    })
    req.on('error', reject)
  })
  // Whoever awaits `answer` sees its failure; a test that kills the connection need not.
  answer.catch(() => {})
  const hash = createHash('sha256')
  const sent = (async () => {
    await write(req, head)
    for (let offset = 0; offset < sendBytes; offset += CHUNK_BYTES) {
      const chunk = randomBytes(Math.min(CHUNK_BYTES, sendBytes - offset))
      hash.update(chunk)
      await write(req, chunk)
    }
    if (sendBytes === size) req.end(tail)
    return hash.digest('hex')
  })()
  sent.catch(() => {})
  return { req, answer, sent }
}

/** Writes `chunk`, waiting for `drain` when the socket's buffer is full; throws once the request is gone. */
async function write (req: ClientRequest, chunk: Buffer): Promise<void> {
  if (req.destroyed) throw new Error('the request was closed')
  if (req.write(chunk)) return
  // One listener each, removed after: a 100 MiB body waits for drain hundreds of times.
  await new Promise<void>((resolve) => {
    const done = () => {
      req.off('drain', done)
      req.off('close', done)
      resolve()
    }
    req.on('drain', done)
    req.on('close', done)
  })
  if (req.destroyed) throw new Error('the request was closed')
}

async function createTask (server: RunningServer, title: string): Promise<number> {
  const response = await fetch(new URL('/tasks', server.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title }) })
  if (response.status !== 201) throw new Error(`POST /tasks answered ${response.status}: ${await response.text()}`)
  return (await response.json() as { id: number }).id
}

/** A small upload through fetch, whose bytes the test keeps to compare. */
async function attach (server: RunningServer, taskId: number, content: Buffer): Promise<Attachment> {
  const { payload, headers } = await multipartBody([{ filename: 'small.bin', content }])
  const response = await fetch(new URL(`/tasks/${taskId}/attachments`, server.url), { method: 'POST', headers, body: payload })
  if (response.status !== 201) throw new Error(`the upload answered ${response.status}: ${await response.text()}`)
  const { items } = await response.json() as { items: Attachment[] }
  return items[0] as Attachment
}

async function listAttachments (server: RunningServer, taskId: number): Promise<Attachment[]> {
  const response = await fetch(new URL(`/tasks/${taskId}/attachments`, server.url))
  if (response.status !== 200) throw new Error(`GET /tasks/${taskId}/attachments answered ${response.status}`)
  return (await response.json() as { items: Attachment[] }).items
}

/** The files in UPLOADS_DIR/tmp, with their sizes. */
function temporaryFiles (uploads: string): Array<{ name: string, size: number }> {
  const directory = join(uploads, 'tmp')
  return readdirSync(directory).map((name) => ({ name, size: statSync(join(directory, name)).size }))
}

/** The names of the stored blobs, wherever they are under UPLOADS_DIR/blobs. */
function blobs (uploads: string): string[] {
  const directory = join(uploads, 'blobs')
  if (!existsSync(directory)) return []
  return readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => entry.name)
    .sort()
}

function blobPath (uploads: string, sha256: string): string {
  return join(uploads, 'blobs', sha256.slice(0, 2), sha256.slice(2, 4), sha256)
}

/** Polls `check` until it holds or `timeoutMs` passes; answers whether it held. */
async function eventually (check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) return false
    await sleep(20)
  }
  return true
}

/** The resident set of process `pid`, in bytes (Linux). */
function residentBytes (pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  if (match === null) throw new Error(`no VmRSS in /proc/${pid}/status`)
  return Number(match[1]) * 1024
}

t.test('a 100 MiB upload is streamed to disk, not held in memory: the server grows by less than 50 MB', async (t) => {
  const size = 100 * MiB
  const uploads = temporaryDirectory(t)
  const server = await startServer(t, {
    DATABASE_URL: await passDatabase(t),
    UPLOADS_DIR: uploads,
    ATTACHMENT_MAX_BYTES: String(110 * MiB),
    REQUEST_TIMEOUT_MS: '120000'
  })
  const pid = server.process.pid as number
  const taskId = await createTask(server, 'Large upload')
  // A first, small upload through the same code, so that what it loads once is in the baseline.
  const warmUp = upload(server.url, taskId, MiB)
  t.equal((await warmUp.answer).status, 201, 'a warm-up upload of 1 MiB is stored')
  await sleep(200)

  const before = residentBytes(pid)
  let peak = before
  let samples = 0
  const sampler = setInterval(() => {
    peak = Math.max(peak, residentBytes(pid))
    samples++
  }, 50)
  const started = performance.now()
  const large = upload(server.url, taskId, size)
  let answer: Answer
  try {
    answer = await large.answer
  } finally {
    clearInterval(sampler)
  }
  peak = Math.max(peak, residentBytes(pid))
  const seconds = (performance.now() - started) / 1000
  const growth = peak - before
  t.comment(`RSS before the upload ${(before / MiB).toFixed(1)} MiB, peak ${(peak / MiB).toFixed(1)} MiB: ` +
    `grew ${(growth / 1e6).toFixed(1)} MB while receiving 100 MiB in ${seconds.toFixed(2)} s (${samples} samples)`)

  t.equal(answer.status, 201, `answered 201: ${answer.status === 201 ? '' : answer.text}`)
  const [attachment] = (JSON.parse(answer.text) as { items: Attachment[] }).items
  t.equal(attachment?.size, size, 'the attachment is 104857600 bytes long')
  t.equal(attachment?.sha256, await large.sent, 'its SHA-256 is that of the bytes sent')
  t.ok(growth < 50e6, `the server's RSS grew by less than 50 MB (${(growth / 1e6).toFixed(1)} MB)`)
  t.equal(statSync(blobPath(uploads, attachment?.sha256 ?? '')).size, size, 'the blob on disk is the whole file')
  t.same(temporaryFiles(uploads), [], 'no temporary file is left')
  t.equal(await server.stop(), 0, 'the server stops cleanly')
})

for (const [name, database] of Object.entries(DATABASES)) {
  t.test(`${name}: SIGKILL mid-upload leaves a temporary file that the restarted server sweeps, no orphan, and keeps the files rows refer to`, async (t) => {
    const DATABASE_URL = await database(t)
    const uploads = join(temporaryDirectory(t), 'uploads')
    const first = await startServer(t, { DATABASE_URL, UPLOADS_DIR: uploads })

    // Stored whole before the kill: it must outlive the sweep.
    const keptTask = await createTask(first, 'Attached before the crash')
    const keptContent = randomBytes(256 * 1024)
    const kept = await attach(first, keptTask, keptContent)
    t.same(blobs(uploads), [kept.sha256], 'the complete upload is stored')

    // 20 MiB announced, 4 MiB sent, then nothing more until the kill.
    const cutTask = await createTask(first, 'Upload cut by the crash')
    const cut = upload(first.url, cutTask, 20 * MiB, { sendBytes: 4 * MiB })
    await cut.sent
    t.ok(await eventually(() => temporaryFiles(uploads).some(({ size }) => size > 0), 10_000), 'the upload is being written to a .part file in tmp/')
    first.process.kill('SIGKILL')
    await first.exited
    t.equal(first.process.signalCode, 'SIGKILL', 'the server was killed mid-upload')
    await cut.answer.then(
      (answer) => t.fail(`the cut upload was answered ${answer.status}`),
      () => t.pass('the cut upload got no answer, only a broken connection'))

    const left = temporaryFiles(uploads)
    t.equal(left.length, 1, 'the crash left one temporary file')
    t.match(left[0]?.name, /^[0-9a-f-]{36}\.part$/, 'named <uuid>.part')
    t.ok((left[0]?.size ?? 0) > 0, `holding what had arrived (${left[0]?.size} bytes)`)
    t.same(blobs(uploads), [kept.sha256], 'and no blob of the cut upload')

    // Past the grace period by the time the restarted server sweeps.
    const graceMs = 200
    await sleep(graceMs + 300)
    const second = await startServer(t, { DATABASE_URL, UPLOADS_DIR: uploads, UPLOAD_GRACE_MS: String(graceMs) })
    t.ok(await eventually(() => second.output().includes('"msg":"swept the upload directory"'), 10_000), 'the restarted server swept the upload directory')
    const swept = second.output().split('\n').find((line) => line.includes('"msg":"swept the upload directory"'))
    t.same(JSON.parse(swept ?? '{}').removed, { temporary: 1, orphans: 0 }, 'it removed the temporary file, and no blob')
    t.same(temporaryFiles(uploads), [], 'tmp/ is empty')
    t.same(blobs(uploads), [kept.sha256], 'the only blob is the referenced one')
    t.same(await listAttachments(second, cutTask), [], 'the cut upload made no attachment')
    t.same((await listAttachments(second, keptTask)).map(({ id }) => id), [kept.id], 'the complete upload is still listed')

    const download = await fetch(new URL(`/attachments/${kept.id}/content`, second.url))
    t.equal(download.status, 200, 'and downloadable')
    t.ok(Buffer.from(await download.arrayBuffer()).equals(keptContent), 'with the bytes uploaded')
    const code = await second.stop()
    t.equal(code, 0, 'the restarted server stops cleanly', code === 0 ? {} : { output: second.output().split('\n').slice(-15).join('\n') })
  })
}

t.test('an upload the client aborts halfway leaves nothing behind, and the server goes on serving', async (t) => {
  const uploads = temporaryDirectory(t)
  const server = await startServer(t, { DATABASE_URL: await passDatabase(t), UPLOADS_DIR: uploads })
  const taskId = await createTask(server, 'Upload given up')

  // 16 MiB announced, half of it sent, then the connection dropped.
  const aborted = upload(server.url, taskId, 16 * MiB, { sendBytes: 8 * MiB })
  await aborted.sent
  t.ok(await eventually(() => temporaryFiles(uploads).some(({ size }) => size > 0), 10_000), 'the upload was being written to a .part file')
  aborted.req.destroy()

  t.ok(await eventually(() => temporaryFiles(uploads).length === 0, 5000), `tmp/ is empty within 5 s (left: ${JSON.stringify(temporaryFiles(uploads))})`)
  t.same(blobs(uploads), [], 'no blob was stored')
  t.same(await listAttachments(server, taskId), [], 'no attachment was made')

  const health = await fetch(new URL('/health', server.url))
  t.equal(health.status, 200, 'GET /health is 200')
  const next = upload(server.url, taskId, 2 * MiB)
  const answer = await next.answer
  t.equal(answer.status, 201, `the next upload is stored: ${answer.status === 201 ? '' : answer.text}`)
  const [attachment] = (JSON.parse(answer.text) as { items: Attachment[] }).items
  t.equal(attachment?.sha256, await next.sent, 'whole')
  t.same(blobs(uploads), [attachment?.sha256], 'as the one blob')
  t.same(temporaryFiles(uploads), [], 'and tmp/ is empty')
  t.equal(await server.stop(), 0, 'the server stops cleanly')
})

t.test('a download under way when the server is told to stop finishes, and its keep-alive connection does not hold the stop', async (t) => {
  const server = await startServer(t, { DATABASE_URL: await passDatabase(t) })
  const content = randomBytes(8 * 1024 * 1024)
  const attachment = await attach(server, await createTask(server, 'Big download'), content)
  const agent = new Agent({ keepAlive: true })
  t.teardown(() => agent.destroy())
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    request(new URL(`/attachments/${attachment.id}/content`, server.url), { agent }, resolve).on('error', reject).end()
  })
  t.equal(response.headers.connection, 'keep-alive', 'its headers went out before the stop')
  // The client holds the rest back while the server begins to stop.
  response.pause()
  const stopped = server.stop()
  await sleep(300)
  const chunks: Buffer[] = []
  for await (const chunk of response) chunks.push(chunk as Buffer)
  t.ok(Buffer.concat(chunks).equals(content), 'the download finishes whole')
  t.equal(await stopped, 0, 'and the server stops cleanly, without waiting for the idle connection to time out')
})
