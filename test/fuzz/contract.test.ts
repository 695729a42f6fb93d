import { join } from 'node:path'
import t, { type Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { build, temporaryDirectory, TEST_ENV } from '../helper.js'
import { startFakeOpenMeteo } from '../fake-open-meteo.js'
import { buildAppWithAuthOn, fetchDocument, formatOutcome, formatStatistics, FUZZ_ENV, operationsOf, runContractFuzz, type FuzzStatistics, type Operation } from './contract-fuzz.js'

// Fixed, so that a failure here is the same failure on every machine; `npm run
// fuzz` explores other seeds (and prints the one to put here to reproduce).
const SEED = 20_261_121
// Each run sends one to three requests at once: about twice as many requests.
const RUNS = 5000
const AUTH_ON_RUNS = 5000

// Operations whose success needs two path values that belong together (a
// delivery of that very webhook), which values drawn one by one rarely are:
// their own tests reach it (test/routes/webhooks/webhooks.test.ts).
const SUCCESS_NEEDS_A_PAIR = new Set(['redeliverWebhookDelivery'])

/**
 * The generators reach every operation, and each one's successes as well as
 * its refusals: input the schema refuses is a 422, or a 400 where no 422 is
 * documented (RFC 6749's token endpoint); an operation without parameters
 * or body has no input to refuse.
 */
function assertEveryOperationReached (t: Test, operations: Operation[], statuses: FuzzStatistics['statuses']) {
  for (const { operationId, parameters, bodySchema, responses } of operations) {
    const seen = Object.keys(statuses[operationId] ?? {})
    const success = Object.keys(responses).filter((status) => status.startsWith('2'))
    if (!SUCCESS_NEEDS_A_PAIR.has(operationId)) t.ok(success.every((status) => seen.includes(status)), `${operationId} answered its success ${success.join(', ')} (saw ${seen.join(', ')})`)
    if (parameters.length === 0 && bodySchema === undefined) continue
    const refusal = responses['422'] === undefined ? '400' : '422'
    t.ok(seen.includes(refusal), `${operationId} refused invalid input with ${refusal} (saw ${seen.join(', ')})`)
  }
}

t.test('every operation answers generated valid and invalid requests within its documented contract', async (t) => {
  // The weather from a fake Open-Meteo, so that its answers are checked too.
  const weather = await startFakeOpenMeteo()
  t.teardown(() => weather.close())
  const app = await build(t, { ...FUZZ_ENV, WEATHER_API_URL: weather.url })
  const outcome = await runContractFuzz({ app, seed: SEED, numRuns: RUNS, jwtSecret: FUZZ_ENV.JWT_SECRET })
  t.comment(`${outcome.statistics.requests} requests in ${(outcome.durationMs / 1000).toFixed(1)} s\n${formatStatistics(outcome.statistics)}`)
  // A failure stops the run early: what it reached says nothing then.
  if (outcome.failed) return t.fail(formatOutcome(outcome, 'npm run fuzz --'))
  t.pass(`no violation in ${RUNS} runs (${outcome.statistics.requests} requests)`)

  const { statuses } = outcome.statistics
  assertEveryOperationReached(t, operationsOf(await fetchDocument(app)), statuses)
  t.ok(statuses.getTask?.['304'], 'If-None-Match hit a current ETag (304)')
  t.ok(statuses.updateTask?.['412'] ?? statuses.replaceTask?.['412'] ?? statuses.deleteTask?.['412'], 'If-Match missed (412)')
  // The limit is the same for every body: which operation met it depends on the seed.
  t.ok(Object.entries(statuses).some(([operationId, seen]) => operationId !== 'unrouted' && seen['413']), 'a body over the limit (413)')
  t.ok(statuses.createTask?.['415'], 'a body of another media type (415)')
  t.ok(statuses.createAttachments?.['413'], 'a file over ATTACHMENT_MAX_BYTES (413)')
  t.ok(statuses.unrouted?.['405'], 'a method a path does not have (405)')
  t.ok(statuses.getProject?.['308'] ?? statuses.listProjectMembers?.['308'], 'a renamed project\'s old slug redirected (308)')

  const health = await app.inject({ method: 'GET', url: '/health' })
  t.equal(health.statusCode, 200, 'the process is still healthy after the run')
})

t.test('with REQUIRE_IF_MATCH=true too, and writes without If-Match are a documented 428', async (t) => {
  const app = await build(t, { ...FUZZ_ENV, REQUIRE_IF_MATCH: 'true' })
  const outcome = await runContractFuzz({ app, seed: SEED + 1, numRuns: 500, jwtSecret: FUZZ_ENV.JWT_SECRET })
  if (outcome.failed) return t.fail(formatOutcome(outcome, 'REQUIRE_IF_MATCH=true npm run fuzz --'))
  t.pass(`no violation in 500 runs (${outcome.statistics.requests} requests)`)
  const { statuses } = outcome.statistics
  for (const operationId of ['updateTask', 'replaceTask', 'deleteTask', 'restoreTask']) {
    t.ok(statuses[operationId]?.['428'], `${operationId} answered 428 without If-Match`)
  }
  t.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200)
})

t.test('with AUTH=on, signed in as an administrator, and requests without a working token are a documented 401', async (t) => {
  const directory = temporaryDirectory(t)
  const weather = await startFakeOpenMeteo()
  t.teardown(() => weather.close())
  const { app, authorization } = await buildAppWithAuthOn({ ...TEST_ENV, ...FUZZ_ENV, DATABASE_URL: join(directory, 'tasks.db'), UPLOADS_DIR: join(directory, 'uploads'), WEATHER_API_URL: weather.url })
  t.teardown(() => app.close())
  const outcome = await runContractFuzz({ app, seed: SEED + 2, numRuns: AUTH_ON_RUNS, authorization, jwtSecret: FUZZ_ENV.JWT_SECRET })
  t.comment(`${outcome.statistics.requests} requests in ${(outcome.durationMs / 1000).toFixed(1)} s\n${formatStatistics(outcome.statistics)}`)
  if (outcome.failed) return t.fail(formatOutcome(outcome, 'npm run fuzz -- --auth on'))
  t.pass(`no violation in ${AUTH_ON_RUNS} runs (${outcome.statistics.requests} requests)`)

  const { statuses } = outcome.statistics
  const operations = operationsOf(await fetchDocument(app))
  assertEveryOperationReached(t, operations, statuses)
  const needingToken = operations.filter((operation) => !operation.anonymous)
  t.ok(needingToken.some(({ operationId }) => statuses[operationId]?.['401']), 'an operation that needs a token refused a request without a working one (401)')
  t.ok(needingToken.some(({ operationId }) => statuses[operationId]?.['403']), 'an operation refused a token without its scope (403)')
  t.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200)
})

/** An app whose answers `corrupt` alters, to show the property notices. */
async function brokenApp (t: Test, corrupt: (app: FastifyInstance) => void, env: Record<string, string> = {}) {
  const app = await buildApp(loadConfig({ ...TEST_ENV, ...FUZZ_ENV, UPLOADS_DIR: temporaryDirectory(t), ...env }))
  t.teardown(() => app.close())
  corrupt(app)
  await app.ready()
  return app
}

t.test('the property fails on a response body that breaks its schema', async (t) => {
  const app = await brokenApp(t, (app) => {
    app.addHook('onSend', async (request, reply, payload) => {
      if (request.method !== 'GET' || request.routeOptions.url !== '/tasks/:task_id' || reply.statusCode !== 200 || typeof payload !== 'string') return payload
      const { version: _version, ...task } = JSON.parse(payload) as Record<string, unknown>
      return JSON.stringify(task)
    })
  })
  const outcome = await runContractFuzz({ app, seed: SEED, numRuns: 300, shrink: false })
  t.equal(outcome.failed, true)
  t.match(formatOutcome(outcome), /seed: 20261121[\s\S]*GET \/tasks\/[\s\S]*-> 200[\s\S]*VIOLATION: the body does not match the 200 schema of getTask: data must have required property 'version'/)
})

t.test('the property fails on a 500', async (t) => {
  const app = await brokenApp(t, (app) => {
    app.addHook('onRequest', async (request) => {
      if (request.method === 'GET' && /^\/tasks\/?(\?|$)/.test(request.url) && request.headers['if-none-match'] !== undefined) throw new Error('boom')
    })
  })
  const outcome = await runContractFuzz({ app, seed: SEED, numRuns: 300, shrink: false })
  t.equal(outcome.failed, true)
  t.match(formatOutcome(outcome), /GET \/tasks[^\n]*\n(.*\n)*?    if-none-match: .*\n(.*\n)*?  -> 500 [\s\S]*VIOLATION: 500 from listTasks: the server failed/)
})

t.test('the property fails on a status the operation does not document', async (t) => {
  const app = await brokenApp(t, (app) => {
    app.addHook('onSend', async (request, reply, payload) => {
      if (request.routeOptions.url === '/tasks/:task_id/restore' && reply.statusCode === 200) reply.code(202)
      return payload
    })
  })
  const outcome = await runContractFuzz({ app, seed: SEED, numRuns: 300, shrink: false })
  t.equal(outcome.failed, true)
  t.match(formatOutcome(outcome), /VIOLATION: 202 is not a status restoreTask documents \(200, /)
})

t.test('the property fails on a request that hangs', async (t) => {
  const app = await brokenApp(t, (app) => {
    app.addHook('onRequest', async (request) => {
      if (request.method === 'DELETE' && request.url.startsWith('/tasks/') && request.headers['if-none-match'] !== undefined) await new Promise(() => {})
    })
  })
  const outcome = await runContractFuzz({ app, seed: SEED, numRuns: 300, shrink: false, timeoutMs: 300 })
  t.equal(outcome.failed, true)
  t.match(formatOutcome(outcome), /DELETE \/tasks[\s\S]*-> no response within 300 ms: the request hangs/)
})

t.test('the property fails on an answer without a working token where the security needs one', async (t) => {
  const directory = temporaryDirectory(t)
  const env = { ...TEST_ENV, ...FUZZ_ENV, DATABASE_URL: join(directory, 'tasks.db'), UPLOADS_DIR: join(directory, 'uploads') }
  const { app: first, authorization } = await buildAppWithAuthOn(env)
  await first.close()
  const app = await brokenApp(t, (app) => {
    app.addHook('onSend', async (request, reply, payload) => {
      if (request.method === 'GET' && request.routeOptions.url === '/users/me' && reply.statusCode === 401) reply.code(200)
      return payload
    })
  }, { ...env, AUTH: 'on' })
  const outcome = await runContractFuzz({ app, seed: SEED + 3, numRuns: 300, shrink: false, authorization })
  t.equal(outcome.failed, true)
  t.match(formatOutcome(outcome), /VIOLATION: 200 from getMe to a request without a working token, where its security needs one/)
})

t.test('the property fails on a redirect to nothing', async (t) => {
  const app = await brokenApp(t, (app) => {
    app.addHook('onSend', async (_request, reply, payload) => {
      if (reply.statusCode === 308) reply.header('location', String(reply.getHeader('location')).replace(/^\/projects\/[^/?]+/, '$&-nowhere'))
      return payload
    })
  })
  const outcome = await runContractFuzz({ app, seed: SEED, numRuns: 300, shrink: false })
  t.equal(outcome.failed, true)
  t.match(formatOutcome(outcome), /-> 308 [\s\S]*VIOLATION: Location \/projects\/[^ ]*-nowhere[^ ]* names nothing: GET \/projects\/[^ ]*-nowhere answers 404/)
})

t.test('the property fails on an upload answered with a file other than the one sent', async (t) => {
  const app = await brokenApp(t, (app) => {
    app.addHook('onSend', async (request, reply, payload) => {
      if (request.routeOptions.url !== '/tasks/:task_id/attachments' || reply.statusCode !== 201 || typeof payload !== 'string') return payload
      // Still an Attachment to its schema: only what was sent tells it apart.
      const body = JSON.parse(payload) as { items: { sha256: string }[] }
      for (const item of body.items) item.sha256 = item.sha256.replace(/^./, (first) => first === '0' ? '1' : '0')
      return JSON.stringify(body)
    })
  })
  // A seed that uploads early: uploads are one operation of many.
  const outcome = await runContractFuzz({ app, seed: SEED + 2, numRuns: 1000, shrink: false })
  t.equal(outcome.failed, true)
  t.match(formatOutcome(outcome), /POST \/tasks\/[^\n]*\/attachments[\s\S]*-> 201 [\s\S]*VIOLATION: the attachments made \(size sha256: [^)]*\) are not the files sent/)
})
