import t from 'tap'
import { request } from 'node:http'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import BetterSqlite3 from 'better-sqlite3'
import { runToExit, startServer, temporaryDirectory, type RunningServer } from './helper.js'

t.test('a bad setting stops the server with a non-zero exit and one line naming it', async (t) => {
  for (const [setting, value] of [['PORT', 'abc'], ['RATE_LIMIT_MAX', '-1'], ['LOG_LEVEL', 'chatty']] as const) {
    const { code, output } = await runToExit('src/server.ts', { [setting]: value, DATABASE_URL: ':memory:' })
    t.not(code, 0, `${setting}=${value}`)
    const lines = output.trim().split('\n')
    t.equal(lines.length, 1, 'one line')
    t.match(lines[0], new RegExp(`^Invalid setting ${setting}="${value}": `))
  }
})

t.test('the server serves over HTTP and keeps its data across a restart', async (t) => {
  const databaseUrl = join(temporaryDirectory(t), 'nested', 'dir', 'tasks.db')
  const first = await startServer(t, { DATABASE_URL: databaseUrl })
  const created = await fetch(`${first.url}/tasks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ title: 'Survive the restart', priority: 1 })
  })
  t.equal(created.status, 201)
  const task = await created.json() as { id: number }
  t.equal(await first.stop(), 0, 'SIGTERM exits 0')
  t.ok(existsSync(databaseUrl), 'the database file and its directories were created')

  const second = await startServer(t, { DATABASE_URL: databaseUrl })
  const fetched = await fetch(`${second.url}/tasks/${task.id}`)
  t.equal(fetched.status, 200)
  t.same(await fetched.json(), task)
  t.equal(await second.stop(), 0)
})

t.test('on SIGTERM a request in flight finishes, the database closes, and the exit is 0', async (t) => {
  const databaseUrl = join(temporaryDirectory(t), 'tasks.db')
  const server = await startServer(t, { DATABASE_URL: databaseUrl })
  const body = JSON.stringify({ title: 'Finished during shutdown' })
  const { port } = new URL(server.url)

  const response = new Promise<{ status: number, body: string }>((resolve, reject) => {
    const req = request({
      port,
      method: 'POST',
      path: '/tasks',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-request-id': 'in-flight' }
    }, (res) => {
      let text = ''
      res.on('data', (chunk) => { text += chunk })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
    })
    req.on('error', reject)
    // Half the body now; the rest only once the server is shutting down.
    req.write(body.slice(0, 10))
    waitForOutput(server, '"reqId":"in-flight","req"').then(async () => {
      server.process.kill('SIGTERM')
      await waitForOutput(server, '"msg":"shutting down"')
      req.end(body.slice(10))
    }, reject)
  })
  const { status, body: text } = await response
  t.equal(status, 201, 'the request in flight was answered')
  t.equal(JSON.parse(text).title, 'Finished during shutdown')
  t.equal(await server.exited, 0, 'exit code 0')
  t.notOk(existsSync(`${databaseUrl}-wal`), 'the database was closed cleanly (its WAL was checkpointed away)')

  const db = new BetterSqlite3(databaseUrl, { readonly: true })
  t.teardown(() => db.close())
  t.same(db.prepare('SELECT title FROM tasks').all(), [{ title: 'Finished during shutdown' }], 'and its write was kept')
})

/** Resolves once the server has written `text`. */
async function waitForOutput (server: RunningServer, text: string): Promise<void> {
  while (!server.output().includes(text)) await sleep(20)
}

t.test('logs are JSON lines that carry the request id', async (t) => {
  const server = await startServer(t, { DATABASE_URL: join(temporaryDirectory(t), 'tasks.db') })
  const response = await fetch(`${server.url}/tasks`, { headers: { 'x-request-id': 'trace-me-123' } })
  t.equal(response.headers.get('x-request-id'), 'trace-me-123')
  await server.stop()
  const lines = server.output().trim().split('\n').map((line) => JSON.parse(line))
  const forRequest = lines.filter((line) => line.reqId === 'trace-me-123')
  t.same(forRequest.map((line) => line.msg), ['incoming request', 'request completed'])
})

t.test('a 500 is logged with its request id and its cause, and the client sees neither', async (t) => {
  const databaseUrl = join(temporaryDirectory(t), 'tasks.db')
  const server = await startServer(t, { DATABASE_URL: databaseUrl })
  // Break the database under the running server.
  const db = new BetterSqlite3(databaseUrl)
  db.exec('DROP TABLE tasks')
  db.close()

  // A read of a task needs the table (a list of an empty table is answered from its counters).
  const response = await fetch(`${server.url}/tasks/1`, { headers: { 'x-request-id': 'broken-1' } })
  t.equal(response.status, 500)
  const text = await response.text()
  t.notMatch(text, /no such|table|sqlite|SELECT|stack|\.ts/i)
  t.match(JSON.parse(text), { type: 'https://example.com/errors/internal-error', status: 500 })
  await server.stop()

  const errors = server.output().trim().split('\n').map((line) => JSON.parse(line)).filter((line) => line.level === 50)
  t.equal(errors.length, 1)
  t.match(errors[0], { reqId: 'broken-1', err: { message: /no such table: tasks/, stack: String } })
})
