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
  // At debug, the server logs each request as it arrives ("incoming request"), before its body is read.
  const server = await startServer(t, { DATABASE_URL: databaseUrl, LOG_LEVEL: 'debug' })
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

t.test('logs are JSON lines: at info, one access line per request once it is answered, under its request id', async (t) => {
  const server = await startServer(t, { AUTH: 'on', DATABASE_URL: join(temporaryDirectory(t), 'tasks.db') })
  const response = await fetch(`${server.url}/tasks?limit=2&access_token=secret-value`, { headers: { 'x-request-id': 'trace-me-123' } })
  t.equal(response.headers.get('x-request-id'), 'trace-me-123')
  t.equal(response.status, 401)
  const missing = await fetch(`${server.url}/v2/nowhere`, { headers: { 'x-request-id': 'trace-me-404' } })
  t.equal(missing.status, 404)
  await server.stop()
  const lines = server.output().trim().split('\n').map((line) => JSON.parse(line))
  const [line, ...more] = lines.filter((line) => line.reqId === 'trace-me-123')
  t.same(more, [], 'one line for the request')
  t.match(line, {
    level: 30,
    msg: 'request completed',
    method: 'GET',
    url: '/tasks?limit=2&access_token=[redacted]',
    statusCode: 401,
    contentLength: Number(response.headers.get('content-length')),
    userId: null
  })
  t.ok(line.responseTime > 0, 'with its response time in ms')
  t.match(lines.filter((line) => line.reqId === 'trace-me-404'), [{ msg: 'request completed', url: '/v2/nowhere', statusCode: 404 }], 'a route not found, by the URL it was asked for')
  t.notOk(lines.some((line) => line.msg === 'incoming request'), 'no "incoming request" line at info')
})

t.test('the access line names the user; at debug, the "incoming request" line comes first', async (t) => {
  const server = await startServer(t, { DATABASE_URL: join(temporaryDirectory(t), 'tasks.db'), LOG_LEVEL: 'debug' })
  const response = await fetch(`${server.url}/tasks`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'debug-me-1' }, body: JSON.stringify({ title: 'Logged' }) })
  t.equal(response.status, 201)
  await server.stop()
  const lines = server.output().trim().split('\n').map((line) => JSON.parse(line)).filter((line) => line.reqId === 'debug-me-1')
  t.same(lines.map((line) => line.msg), ['incoming request', 'request completed'])
  t.match(lines, [
    { level: 20, req: { method: 'POST', url: '/tasks' } },
    { level: 30, method: 'POST', url: '/tasks', statusCode: 201, contentLength: Number(response.headers.get('content-length')), userId: 1 }
  ], 'with AUTH=off, the local administrator (user 1)')
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

t.test('AUTH=off on an address other hosts can reach stops the server with one line, unless ALLOW_UNAUTHENTICATED=true', async (t) => {
  const refused = await runToExit('src/server.ts', { HOST: '0.0.0.0', PORT: '0', DATABASE_URL: ':memory:' })
  t.equal(refused.code, 1)
  t.same(refused.output.trim().split('\n'), ['Refusing to start: AUTH=off on HOST=0.0.0.0 would let anyone who reaches it read and change every task; set AUTH=on, or ALLOW_UNAUTHENTICATED=true to accept that.'])
  const allowed = await startServer(t, { HOST: '0.0.0.0', ALLOW_UNAUTHENTICATED: 'true', DATABASE_URL: ':memory:' })
  t.equal((await fetch(`${allowed.url.replace('0.0.0.0', '127.0.0.1')}/tasks`)).status, 200, 'with ALLOW_UNAUTHENTICATED=true it serves, open')
  t.equal(await allowed.stop(), 0)
})

t.test('the first start with AUTH=on creates the administrator admin, its password written to the log once', async (t) => {
  const databaseUrl = join(temporaryDirectory(t), 'tasks.db')
  const first = await startServer(t, { AUTH: 'on', DATABASE_URL: databaseUrl })
  await waitForOutput(first, 'Created the administrator')
  const lines = first.output().split('\n').filter((line) => line.includes('Created the administrator'))
  t.equal(lines.length, 1, 'one line')
  const { level, msg } = JSON.parse(lines[0] as string) as { level: number, msg: string }
  t.equal(level, 40, 'a warning, so it shows at every usual log level')
  const password = /the password (\S+) \./.exec(msg)?.[1] as string
  t.match(password, /^[\w-]{24}$/, 'a random password of 24 characters')
  const signIn = await fetch(`${first.url}/auth/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'password', username: 'admin', password }) })
  t.equal(signIn.status, 200, 'the printed password signs in')
  t.equal(await first.stop(), 0)

  const second = await startServer(t, { AUTH: 'on', DATABASE_URL: databaseUrl })
  t.equal((await fetch(`${second.url}/health`)).status, 200)
  t.notMatch(second.output(), /Created the administrator/, 'the next start creates nobody')
  t.equal(await second.stop(), 0)
})
