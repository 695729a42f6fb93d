import t, { type Test } from 'tap'
import { once } from 'node:events'
import { connect } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import type { HTTPMethods } from 'fastify'
import { build, createTask, startServer } from '../helper.js'

// Hostile requests: each one is either a clear 4xx problem (RFC 9457 body,
// naming the field or parameter when there is one) or stored and returned
// exactly, nothing pollutes Object.prototype, and the server stays healthy.
// Most run in-process through inject; what only Node's HTTP parser sees
// (long URLs and headers, slow bodies) runs against the real server.

/** README: a body over 1 MiB is a 413. */
const BODY_LIMIT_BYTES = 1024 * 1024
/** Far past the 16 KiB Node's HTTP parser takes for the request line and headers. */
const HUNDRED_KB = 100 * 1024

type App = Awaited<ReturnType<typeof build>>

/** What both inject and a raw HTTP exchange give back. */
interface Answer {
  statusCode: number
  headers: Record<string, string | string[] | number | undefined>
  body: string
}

interface FieldError { detail: string, pointer?: string, parameter?: string }
interface Problem { type: string, title: string, status: number, detail: string, instance: string, errors?: FieldError[] }

const JSON_HEADERS = { 'content-type': 'application/json' }

// Taken before any request, to prove none of them changed it.
const OBJECT_PROTOTYPE = Object.getOwnPropertyDescriptors(Object.prototype)

/**
 * Checks that `answer` is a problem details response with one of `statuses`
 * and returns its body.
 */
function assertProblem (t: Test, answer: Answer, statuses: number[], instance?: string): Problem {
  t.ok(statuses.includes(answer.statusCode), `status ${answer.statusCode} is one of ${statuses.join(', ')}`)
  t.match(String(answer.headers['content-type']), /^application\/problem\+json(;|$)/, 'content-type is application/problem+json')
  let problem: Problem
  try {
    problem = JSON.parse(answer.body) as Problem
  } catch {
    t.fail(`the body is not JSON: ${answer.body.slice(0, 200)}`)
    return { type: '', title: '', status: 0, detail: '', instance: '' }
  }
  t.match(problem, { type: String, title: String, status: answer.statusCode, detail: String, instance: instance ?? String }, 'a Problem body')
  return problem
}

/** A 422 whose errors point at body member `field` and whose detail names it. */
function assertNamesField (t: Test, problem: Problem, field: string): void {
  const pointer = `#/${encodeURIComponent(field.replaceAll('~', '~0').replaceAll('/', '~1'))}`
  t.ok(problem.errors?.some((error) => error.pointer === pointer), `errors point at ${pointer.slice(0, 60)}`)
  t.ok(problem.detail.includes(field), `detail names ${field.slice(0, 60)}`)
}

/** A 422 whose errors name query or path parameter `name`, as does its detail. */
function assertNamesParameter (t: Test, problem: Problem, name: string): void {
  t.ok(problem.errors?.some((error) => error.parameter === name), `errors name the parameter ${name}`)
  t.ok(problem.detail.includes(name), `detail names ${name}`)
}

/** A 400 or 422 problem; a 422 names `field` (when given). */
function assertRejectedBody (t: Test, answer: Answer, instance: string, field?: string): Problem {
  const problem = assertProblem(t, answer, [400, 422], instance)
  if (answer.statusCode === 422 && field !== undefined) assertNamesField(t, problem, field)
  return problem
}

function assertNoPollution (t: Test): void {
  t.equal(({} as Record<string, unknown>).polluted, undefined, '({}).polluted is undefined')
  t.equal(Object.getPrototypeOf({}), Object.prototype, 'a new object still has Object.prototype')
  const now = Object.getOwnPropertyDescriptors(Object.prototype)
  t.same(Reflect.ownKeys(now).map(String), Reflect.ownKeys(OBJECT_PROTOTYPE).map(String), 'Object.prototype has the same own properties')
  const changed = Reflect.ownKeys(OBJECT_PROTOTYPE).filter((key) => {
    const before = OBJECT_PROTOTYPE[key as string]
    const after = now[key as string]
    return before?.value !== after?.value || before?.get !== after?.get || before?.set !== after?.set
  })
  t.same(changed.map(String), [], 'no property of Object.prototype changed')
}

/**
 * GET /health is 200. Load shedding may turn requests away for a moment
 * after one that kept the event loop busy, so it is asked for up to 5 s.
 */
async function assertHealthy (t: Test, app: App): Promise<void> {
  const deadline = Date.now() + 5000
  let response = await app.inject({ method: 'GET', url: '/health' })
  const first = response.statusCode
  while (response.statusCode !== 200 && Date.now() < deadline) {
    await sleep(100)
    response = await app.inject({ method: 'GET', url: '/health' })
  }
  if (first !== 200) t.comment(`GET /health was ${first} at first: ${response.body}`)
  t.equal(response.statusCode, 200, 'GET /health is 200 afterwards')
}

async function sendRaw (app: App, method: HTTPMethods, url: string, payload: string | Buffer, headers: Record<string, string> = {}) {
  return app.inject({ method, url, headers: { ...JSON_HEADERS, ...headers }, payload })
}

async function totalTasks (app: App): Promise<number> {
  return (await app.inject({ method: 'GET', url: '/tasks?include_deleted=true' })).json().total as number
}

/** Sends a body to PATCH and PUT of `task` and checks both are rejected and the task is unchanged. */
async function assertWritesRejected (t: Test, app: App, task: { id: number }, payload: string, field?: string): Promise<void> {
  const before = (await app.inject({ method: 'GET', url: `/tasks/${task.id}` })).json()
  for (const method of ['PATCH', 'PUT'] as const) {
    const response = await sendRaw(app, method, `/tasks/${task.id}`, payload)
    assertRejectedBody(t, response, `/tasks/${task.id}`, field)
  }
  t.same((await app.inject({ method: 'GET', url: `/tasks/${task.id}` })).json(), before, 'the stored task is unchanged')
}

t.test('deeply nested JSON bodies are a 400 or 422 problem, never a 500 or a stack overflow', async (t) => {
  const app = await build(t)
  const task = await createTask(app, { title: 'Stays as it is' })
  const count = await totalTasks(app)
  const nestedObject = (depth: number, inner: string) => '{"a":'.repeat(depth) + inner + '}'.repeat(depth)
  const nestedArray = (depth: number, inner = '') => '['.repeat(depth) + inner + ']'.repeat(depth)

  const bodies: Array<{ name: string, payload: string, field?: string, status?: number }> = [
    { name: '10k levels of [', payload: nestedArray(10_000) },
    { name: '10k levels of {"a":', payload: nestedObject(10_000, '1'), field: 'a' },
    { name: '10k unclosed [', payload: '['.repeat(10_000), status: 400 },
    { name: '10k unclosed {"a":', payload: '{"a":'.repeat(10_000), status: 400 },
    { name: 'description nested 10k levels deep', payload: `{"title":"x","description":${nestedObject(10_000, '"deep"')}}`, field: 'description' },
    { name: '500k levels of [ (1,000,000 bytes)', payload: nestedArray(500_000) },
    { name: '__proto__ 100k levels deep', payload: nestedObject(100_000, '{"__proto__":{"polluted":true}}'), field: 'a' },
    { name: 'constructor.prototype 100k levels deep', payload: nestedArray(100_000, '{"constructor":{"prototype":{"polluted":true}}}') }
  ]
  for (const { name, payload, field, status } of bodies) {
    await t.test(name, async (t) => {
      const response = await sendRaw(app, 'POST', '/tasks', payload)
      const problem = assertRejectedBody(t, response, '/tasks', field)
      if (status !== undefined) {
        t.equal(response.statusCode, status)
        t.match(problem.type, /\/malformed-json$/)
      }
      await assertWritesRejected(t, app, task, payload, field)
      assertNoPollution(t)
    })
  }

  await t.test('with an Idempotency-Key, which stays free for a valid request', async (t) => {
    const headers = { 'idempotency-key': 'deep-nesting' }
    assertRejectedBody(t, await sendRaw(app, 'POST', '/tasks', nestedArray(10_000), headers), '/tasks')
    const created = await sendRaw(app, 'POST', '/tasks', '{"title":"after the deep one"}', headers)
    t.equal(created.statusCode, 201)
  })

  t.equal(await totalTasks(app), count + 1, 'only the valid request created a task')
  await assertHealthy(t, app)
})

t.test('bodies just under and just over the 1 MiB limit', async (t) => {
  const app = await build(t)
  const task = await createTask(app, { title: 'Stays as it is' })
  const padTo = (bytes: number, prefix: string, suffix: string, fill: string) =>
    prefix + fill.repeat((bytes - Buffer.byteLength(prefix + suffix)) / Buffer.byteLength(fill)) + suffix

  await t.test('exactly 1 MiB of valid JSON (whitespace padded) is created', async (t) => {
    const payload = padTo(BODY_LIMIT_BYTES, '{"title":"padded to the limit"', '}', ' ')
    t.equal(Buffer.byteLength(payload), BODY_LIMIT_BYTES)
    const response = await sendRaw(app, 'POST', '/tasks', payload)
    t.equal(response.statusCode, 201)
    const fetched = await app.inject({ method: 'GET', url: `/tasks/${response.json().id}` })
    t.equal(fetched.json().title, 'padded to the limit')
  })

  await t.test('exactly 1 MiB with a 1 MiB description is the usual 422 naming description', async (t) => {
    const payload = padTo(BODY_LIMIT_BYTES, '{"title":"x","description":"', '"}', 'd')
    t.equal(Buffer.byteLength(payload), BODY_LIMIT_BYTES)
    const problem = assertProblem(t, await sendRaw(app, 'POST', '/tasks', payload), [422], '/tasks')
    assertNamesField(t, problem, 'description')
  })

  const over = padTo(BODY_LIMIT_BYTES + 1, '{"title":"x","description":"', '"}', 'd')
  const overInCharacters = `{"title":"x","description":"${'é'.repeat(600_000)}"}`
  const cases = [
    { name: '1 MiB + 1 byte', payload: over },
    { name: '600k two-byte characters (1.2 MB, fewer than 1 Mi characters)', payload: overInCharacters },
    { name: '5 MiB', payload: padTo(5 * BODY_LIMIT_BYTES, '{"title":"x","description":"', '"}', 'd') }
  ]
  for (const { name, payload } of cases) {
    await t.test(`${name} is a 413 problem`, async (t) => {
      t.ok(Buffer.byteLength(payload) > BODY_LIMIT_BYTES)
      for (const [method, url] of [['POST', '/tasks'], ['PATCH', `/tasks/${task.id}`], ['PUT', `/tasks/${task.id}`]] as const) {
        const problem = assertProblem(t, await sendRaw(app, method, url, payload), [413], url)
        t.match(problem.type, /\/payload-too-large$/, `${method} ${url}`)
      }
    })
  }
  t.same((await app.inject({ method: 'GET', url: `/tasks/${task.id}` })).json(), task, 'the stored task is unchanged')
  await assertHealthy(t, app)
})

t.test('very long strings, keys and key counts are a 422 naming each field', async (t) => {
  const app = await build(t)
  const long = 'x'.repeat(10_000)

  for (const field of ['title', 'description', 'assignee']) {
    const body = { title: 'ok', [field]: long }
    const problem = assertProblem(t, await app.inject({ method: 'POST', url: '/tasks', payload: body }), [422], '/tasks')
    assertNamesField(t, problem, field)
  }

  const all = assertProblem(t, await app.inject({ method: 'POST', url: '/tasks', payload: { title: long, description: long, assignee: long } }), [422], '/tasks')
  for (const field of ['title', 'description', 'assignee']) assertNamesField(t, all, field)

  const padded = await app.inject({ method: 'POST', url: '/tasks', payload: { title: `${' '.repeat(10_000)}padded${'\n'.repeat(10_000)}` } })
  t.equal(padded.statusCode, 201, 'a title padded with 20k whitespace characters is trimmed, then valid')
  t.equal(padded.json().title, 'padded')

  await t.test('an unknown key of a million characters', async (t) => {
    const key = 'k'.repeat(1_000_000)
    const response = await sendRaw(app, 'POST', '/tasks', `{"title":"x","${key}":1}`)
    const problem = assertProblem(t, response, [422], '/tasks')
    assertNamesField(t, problem, key)
    t.comment(`the 422 for a 1 MB key is ${response.rawPayload.length} bytes`)
  })

  await t.test('as many unknown keys as fit in 1 MiB (about 120k)', async (t) => {
    const keys: string[] = []
    let length = 2
    for (let i = 0; length < BODY_LIMIT_BYTES - 16; i++) {
      const member = `"${i.toString(36)}":0`
      keys.push(member)
      length += member.length + 1
    }
    const started = Date.now()
    const response = await sendRaw(app, 'POST', '/tasks', `{${keys.join(',')}}`)
    t.comment(`${keys.length} unknown keys answered in ${Date.now() - started} ms`)
    const problem = assertProblem(t, response, [422], '/tasks')
    assertNamesField(t, problem, 'title')
    t.ok((problem.errors?.length ?? 0) <= 20, 'at most 20 errors are listed')
    t.match(problem.detail, /\(and \d+ more\)$/, 'the detail says how many more there are')
  })

  t.equal(await totalTasks(app), 1, 'only the padded title was created')
  await assertHealthy(t, app)
})

t.test('__proto__, constructor and prototype keys are rejected and pollute nothing', async (t) => {
  const app = await build(t)
  const task = await createTask(app, { title: 'Stays as it is', priority: 3 })
  const count = await totalTasks(app)

  const bodies: Array<{ name: string, payload: string, field: string, onlyCreate?: boolean }> = [
    { name: 'top-level __proto__', payload: '{"title":"x","__proto__":{"polluted":true}}', field: '__proto__' },
    { name: 'top-level __proto__ overriding title', payload: '{"__proto__":{"title":"hacked","polluted":true}}', field: '__proto__' },
    { name: 'top-level __proto__: null', payload: '{"title":"x","__proto__":null}', field: '__proto__' },
    { name: 'top-level __proto__ written with \\u escapes', payload: '{"title":"x","\\u005f_proto__":{"polluted":true}}', field: '__proto__' },
    { name: 'top-level constructor.prototype', payload: '{"title":"x","constructor":{"prototype":{"polluted":true}}}', field: 'constructor' },
    { name: 'top-level constructor', payload: '{"title":"x","constructor":1}', field: 'constructor' },
    { name: 'top-level prototype', payload: '{"title":"x","prototype":{"polluted":true}}', field: 'prototype' },
    { name: '__proto__ nested in description', payload: '{"title":"x","description":{"__proto__":{"polluted":true}}}', field: 'description' },
    { name: 'constructor.prototype nested in assignee', payload: '{"title":"x","assignee":{"constructor":{"prototype":{"polluted":true}}}}', field: 'assignee' },
    { name: 'prototype nested in description', payload: '{"title":"x","description":{"prototype":{"polluted":true}}}', field: 'description' },
    { name: '__proto__ inside an array', payload: '{"title":"x","description":[{"__proto__":{"polluted":true}}]}', field: 'description' }
  ]
  for (const { name, payload, field } of bodies) {
    await t.test(name, async (t) => {
      assertRejectedBody(t, await sendRaw(app, 'POST', '/tasks', payload), '/tasks', field)
      await assertWritesRejected(t, app, task, payload.replace('"title":"x",', ''), field)
      assertNoPollution(t)
    })
  }

  await t.test('the same names as query parameters', async (t) => {
    for (const name of ['__proto__', 'constructor', 'prototype', '__proto__[polluted]', 'constructor[prototype][polluted]']) {
      const response = await app.inject({ method: 'GET', url: `/tasks?${name}=1` })
      const problem = assertProblem(t, response, [422], '/tasks')
      assertNamesParameter(t, problem, name)
    }
    assertNoPollution(t)
  })

  t.equal(await totalTasks(app), count, 'no task was created')
  t.same((await app.inject({ method: 'GET', url: `/tasks/${task.id}` })).json(), task, 'the stored task is unchanged')
  assertNoPollution(t)
  await assertHealthy(t, app)
})

t.test('huge, negative-zero, fractional and string numbers for priority are a 422 naming priority', async (t) => {
  const app = await build(t)
  const task = await createTask(app, { title: 'Stays as it is' })
  const values = ['1e308', '-1e308', '1e309', '-1e309', '9007199254740993', '-9007199254740993', '-0', '0', '6', '1.5', '4.999999',
    '"2"', '"NaN"', '"Infinity"', '"1e308"', '"-0"', 'true', '[1]', '{"value":1}']
  for (const value of values) {
    await t.test(`priority ${value}`, async (t) => {
      const created = await sendRaw(app, 'POST', '/tasks', `{"title":"n","priority":${value}}`)
      assertNamesField(t, assertProblem(t, created, [422], '/tasks'), 'priority')
      const replaced = await sendRaw(app, 'PUT', `/tasks/${task.id}`, `{"title":"n","priority":${value}}`)
      assertNamesField(t, assertProblem(t, replaced, [422], `/tasks/${task.id}`), 'priority')
      const updated = await sendRaw(app, 'PATCH', `/tasks/${task.id}`, `{"priority":${value}}`)
      assertNamesField(t, assertProblem(t, updated, [422], `/tasks/${task.id}`), 'priority')
    })
  }

  await t.test('null priority in a PATCH', async (t) => {
    assertNamesField(t, assertProblem(t, await sendRaw(app, 'PATCH', `/tasks/${task.id}`, '{"priority":null}'), [422]), 'priority')
  })

  for (const value of ['NaN', 'Infinity', '-Infinity', '0x1', '01', '+1', '1.', '.5']) {
    await t.test(`priority ${value}, which is not JSON, is a 400 malformed-json problem`, async (t) => {
      const problem = assertProblem(t, await sendRaw(app, 'POST', '/tasks', `{"title":"n","priority":${value}}`), [400], '/tasks')
      t.match(problem.type, /\/malformed-json$/)
    })
  }

  await t.test('JSON numbers that are integers however written are accepted', async (t) => {
    for (const [value, expected] of [['1.0', 1], ['5e0', 5], ['0.3e1', 3], ['2.000000000000000000001', 2]] as const) {
      const response = await sendRaw(app, 'POST', '/tasks', `{"title":"n","priority":${value}}`)
      t.equal(response.statusCode, 201, value)
      t.equal((await app.inject({ method: 'GET', url: `/tasks/${response.json().id}` })).json().priority, expected)
    }
  })

  t.same((await app.inject({ method: 'GET', url: `/tasks/${task.id}` })).json(), task, 'the stored task is unchanged')
  await assertHealthy(t, app)
})

const TASK_ROUTES = [
  { method: 'GET', path: (id: string) => `/tasks/${id}` },
  { method: 'PATCH', path: (id: string) => `/tasks/${id}`, payload: { title: 'x' } },
  { method: 'PUT', path: (id: string) => `/tasks/${id}`, payload: { title: 'x' } },
  { method: 'DELETE', path: (id: string) => `/tasks/${id}` },
  { method: 'POST', path: (id: string) => `/tasks/${id}/restore` }
] as const

t.test('huge and odd path ids are a 422 naming task_id', async (t) => {
  const app = await build(t)
  await createTask(app, { title: 'Stays as it is' })
  const ids = ['99999999999999999999', '9007199254740992', '9007199254740993', '1e308', '1e21', '0', '-1', '-0', '-99999999999999999999',
    '1.5', '1e-7', 'NaN', 'abc', '%20', '1%00']
  for (const id of ids) {
    await t.test(`/tasks/${id}`, async (t) => {
      for (const route of TASK_ROUTES) {
        const url = route.path(id)
        const response = await app.inject({ method: route.method, url, ...('payload' in route ? { payload: route.payload } : {}) })
        assertNamesParameter(t, assertProblem(t, response, [422], url), 'task_id')
      }
    })
  }

  await t.test('an id longer than the router takes (101 digits) is a 400 or a 422 naming task_id', async (t) => {
    for (const route of TASK_ROUTES) {
      const url = route.path('9'.repeat(101))
      const response = await app.inject({ method: route.method, url, ...('payload' in route ? { payload: route.payload } : {}) })
      const problem = assertProblem(t, response, [400, 422], url)
      if (response.statusCode === 422) assertNamesParameter(t, problem, 'task_id')
    }
  })

  t.equal(await totalTasks(app), 1)
  await assertHealthy(t, app)
})

// Ajv's coerceTypes turns "Infinity", "-Infinity" and "1e400" into ±Infinity,
// which passes `type: integer` (Infinity % 1 is NaN), and Ajv skips
// minimum/maximum for a non-finite number: the value reaches the handler.
t.test('non-finite path ids are a 422 naming task_id', async (t) => {
  const app = await build(t)
  for (const id of ['Infinity', '-Infinity', '1e400', '-1e400']) {
    for (const route of TASK_ROUTES) {
      const url = route.path(id)
      const response = await app.inject({ method: route.method, url, ...('payload' in route ? { payload: route.payload } : {}) })
      assertNamesParameter(t, assertProblem(t, response, [422], url), 'task_id')
    }
  }
  await assertHealthy(t, app)
})

t.test('huge and odd numbers in list parameters are a 422 naming the parameter', async (t) => {
  const app = await build(t)
  const cases = [
    ['limit', '99999999999999999999'], ['limit', '1e308'], ['limit', '0'], ['limit', '-0'], ['limit', '1.5'], ['limit', 'NaN'], ['limit', '101'],
    ['offset', '99999999999999999999'], ['offset', '9007199254740992'], ['offset', '-1'], ['offset', '1.5'], ['offset', 'NaN'],
    ['priority', '1e308'], ['priority', '9007199254740993'], ['priority', '-0'], ['priority', '0'], ['priority', '1.5'], ['priority', 'NaN']
  ] as const
  for (const [name, value] of cases) {
    const problem = assertProblem(t, await app.inject({ method: 'GET', url: `/tasks?${name}=${value}` }), [422], '/tasks')
    assertNamesParameter(t, problem, name)
  }
  await assertHealthy(t, app)
})

t.test('non-finite limit and offset are a 422 naming the parameter, not a 500', async (t) => {
  const app = await build(t)
  await createTask(app, { title: 'one' })
  for (const name of ['limit', 'offset']) {
    for (const value of ['Infinity', '-Infinity', '1e400', '-1e400']) {
      const problem = assertProblem(t, await app.inject({ method: 'GET', url: `/tasks?${name}=${value}` }), [422], '/tasks')
      assertNamesParameter(t, problem, name)
    }
  }
  await assertHealthy(t, app)
})

t.test('a non-finite priority filter is a 422 naming priority', async (t) => {
  const app = await build(t)
  for (const value of ['Infinity', '-Infinity', '1e400']) {
    const problem = assertProblem(t, await app.inject({ method: 'GET', url: `/tasks?priority=${value}` }), [422], '/tasks')
    assertNamesParameter(t, problem, 'priority')
  }
})

/** Creates a task from `body` sent as JSON text, then checks the create and a GET both return it exactly. */
async function assertStoredExactly (t: Test, app: App, body: Record<string, string>): Promise<number> {
  const created = await sendRaw(app, 'POST', '/tasks', JSON.stringify(body))
  t.equal(created.statusCode, 201)
  const fetched = (await app.inject({ method: 'GET', url: `/tasks/${created.json().id}` })).json()
  for (const [field, value] of Object.entries(body)) {
    t.equal(created.json()[field], value, `the create answers ${field} exactly`)
    t.equal(fetched[field], value, `GET returns ${field} exactly`)
  }
  return created.json().id as number
}

t.test('emoji and other unusual characters are stored and returned exactly', async (t) => {
  const app = await build(t)
  const cases: Array<{ title: string, description: string, assignee: string }> = [
    { title: 'a b', description: '\u0001', assignee: 'x\u0001y' },
    { title: 'x', description: '\u0001\u0002\u0003'.repeat(600), assignee: '\u007f'.repeat(100) },
    { title: '🎉 ship it 👩‍👩‍👧‍👦', description: '𝄞'.repeat(2000), assignee: '🙂'.repeat(100) },
    { title: '🎉'.repeat(200), description: 'e\u0301 ﷽ \u202e reversed \u200b zero-width', assignee: '\uffff\ufffe\ufeff' }
  ]
  for (const body of cases) {
    const id = await assertStoredExactly(t, app, body)
    const changed = { title: `${[...body.title].slice(0, 100).join('')} again`, description: `${[...body.description].slice(0, 1000).join('')}\u0001`, assignee: body.assignee.slice(0, 50) }
    const patched = await sendRaw(app, 'PATCH', `/tasks/${id}`, JSON.stringify(changed))
    t.equal(patched.statusCode, 200)
    t.hasStrict((await app.inject({ method: 'GET', url: `/tasks/${id}` })).json(), changed, 'a PATCH stores them exactly too')
  }

  // A surrogate pair sent as \u escapes is one emoji.
  const escaped = await sendRaw(app, 'POST', '/tasks', '{"title":"\\ud83c\\udf89 \\u0001"}')
  t.equal(escaped.statusCode, 201)
  t.equal((await app.inject({ method: 'GET', url: `/tasks/${escaped.json().id}` })).json().title, '🎉 \u0001')

  // Lengths are in characters (code points), as Ajv counts them.
  const tooLong = assertProblem(t, await app.inject({ method: 'POST', url: '/tasks', payload: { title: '🎉'.repeat(201) } }), [422], '/tasks')
  assertNamesField(t, tooLong, 'title')

  await t.test('q with a NUL is a 422 naming q', async (t) => {
    for (const q of ['%00', 'a%00b', '%00%00%00']) {
      assertNamesParameter(t, assertProblem(t, await app.inject({ method: 'GET', url: `/tasks?q=${q}` }), [422], '/tasks'), 'q')
    }
  })

  await t.test('q with lone surrogates (as UTF-8 bytes) or emoji is a 200', async (t) => {
    for (const q of ['%ED%A0%80', '%ED%B0%80', 'a%ED%A0%80b%ED%B0%80', encodeURIComponent('👩‍👩‍👧‍👦'), '%F0%9F%8E%89']) {
      const response = await app.inject({ method: 'GET', url: `/tasks?q=${q}` })
      t.equal(response.statusCode, 200, `q=${q}`)
    }
    const found = (await app.inject({ method: 'GET', url: `/tasks?q=${encodeURIComponent('👩‍👩‍👧‍👦')}` })).json()
    t.equal(found.total, 1, 'an emoji search finds the task holding it')
  })
  await assertHealthy(t, app)
})

// No stored text may hold a NUL: PostgreSQL's text cannot, and SQLite's
// length() counts the characters before the first one, so the
// tasks_title_length CHECK could not judge such a title. Refused, by name,
// before it reaches the database, on either.
t.test('text holding a NUL anywhere is a 422 naming the field, on create, update and replace', async (t) => {
  const app = await build(t)
  const task = await createTask(app, { title: 'target' })
  for (const field of ['title', 'description', 'assignee']) {
    for (const value of ['\u0000', '\u0000\u0000x', '\u0000 leading NUL', 'a\u0000b', 'trailing\u0000']) {
      for (const [method, url] of [['POST', '/tasks'], ['PATCH', `/tasks/${task.id}`], ['PUT', `/tasks/${task.id}`]] as const) {
        const problem = assertProblem(t, await sendRaw(app, method, url, JSON.stringify({ title: 'x', [field]: value })), [422], url)
        assertNamesField(t, problem, field)
        t.match(problem.detail, /must not contain NUL/)
      }
    }
  }
  t.match((await app.inject({ method: 'GET', url: `/tasks/${task.id}` })).json(), { title: 'target', description: null, assignee: null }, 'the task is unchanged')
  await assertHealthy(t, app)
})

t.test('a NUL in a slug or username in the path is a 4xx naming it, never a lookup', async (t) => {
  const app = await build(t)
  for (const [method, url] of [['GET', '/projects/%00'], ['GET', '/projects/a%00b/members'], ['GET', '/admin/users/%00'], ['DELETE', '/projects/x/members/a%00']] as const) {
    const response = await app.inject({ method, url })
    t.ok(response.statusCode >= 400 && response.statusCode < 500, `${url}: ${response.statusCode}`)
    t.match(response.json().detail, /NUL/, url)
  }
  await assertHealthy(t, app)
})

// JSON.stringify writes a lone surrogate as a \u escape, so these bodies are
// valid UTF-8 JSON text; JSON.parse gives back the lone surrogate, which
// UTF-8 storage could not keep: refused, by name.
t.test('lone surrogates in any text field are a 422 naming the field', async (t) => {
  const app = await build(t)
  for (const value of ['a\ud800b', '\udc00', '\ud800', '\udc00\ud800', 'x\udbff', '\ud800'.repeat(200)]) {
    for (const field of ['title', 'description', 'assignee']) {
      const body = { title: 'lone', [field]: value }
      const problem = assertProblem(t, await sendRaw(app, 'POST', '/tasks', JSON.stringify(body)), [422], '/tasks')
      assertNamesField(t, problem, field)
      t.match(problem.detail, /unpaired surrogate/)
    }
  }
  t.equal((await app.inject({ method: 'GET', url: '/tasks' })).json().total, 0, 'nothing was stored')
})

t.test('a body with duplicate keys stores what JSON.parse keeps, and a GET returns it', async (t) => {
  const app = await build(t)
  for (const payload of ['{"title":"a","title":"b"}', '{"title":"x","priority":"high","priority":1}', '{"title":"x","assignee":"ada","assignee":null}']) {
    const expected = JSON.parse(payload) as Record<string, unknown>
    const created = await sendRaw(app, 'POST', '/tasks', payload)
    t.equal(created.statusCode, 201, payload)
    t.hasStrict(created.json(), expected)
    t.hasStrict((await app.inject({ method: 'GET', url: `/tasks/${created.json().id}` })).json(), expected, 'GET returns what JSON.parse kept')
  }

  const rejected = assertProblem(t, await sendRaw(app, 'POST', '/tasks', '{"title":"x","priority":1,"priority":"high"}'), [422], '/tasks')
  assertNamesField(t, rejected, 'priority')

  const task = await createTask(app, { title: 'patched' })
  const patched = await sendRaw(app, 'PATCH', `/tasks/${task.id}`, '{"status":"done","status":"in_progress","title":"one","title":"two"}')
  t.equal(patched.statusCode, 200)
  t.hasStrict((await app.inject({ method: 'GET', url: `/tasks/${task.id}` })).json(), { status: 'in_progress', title: 'two' })
  await assertHealthy(t, app)
})

t.test('invalid UTF-8 in a JSON body is a 400/422 problem or stored with replacement characters consistently', async (t) => {
  const app = await build(t)
  const bytes = (...parts: Array<string | number[]>) => Buffer.concat(parts.map((part) => typeof part === 'string' ? Buffer.from(part, 'utf8') : Buffer.from(part)))
  const inStrings = [
    { name: 'FF FE and a truncated sequence in title', payload: bytes('{"title":"a', [0xff, 0xfe, 0xc3], 'b"}'), field: 'title' },
    { name: 'an overlong "/" (C0 AF) in title', payload: bytes('{"title":"', [0xc0, 0xaf], '"}'), field: 'title' },
    { name: 'an encoded surrogate (ED A0 80) in description', payload: bytes('{"title":"x","description":"', [0xed, 0xa0, 0x80], '"}'), field: 'description' },
    { name: 'a code point past U+10FFFF in assignee', payload: bytes('{"title":"x","assignee":"', [0xf4, 0x90, 0x80, 0x80], '"}'), field: 'assignee' },
    { name: 'lone continuation bytes in title', payload: bytes('{"title":"', [0x80, 0xbf, 0x80], 'z"}'), field: 'title' }
  ]
  for (const { name, payload, field } of inStrings) {
    await t.test(name, async (t) => {
      const response = await sendRaw(app, 'POST', '/tasks', payload)
      if (response.statusCode !== 201) {
        assertRejectedBody(t, response, '/tasks', field)
        return
      }
      // What a WHATWG UTF-8 decoder makes of the bytes: U+FFFD for each bad sequence.
      const expected = (JSON.parse(new TextDecoder().decode(payload)) as Record<string, string>)[field]
      t.ok(expected?.includes('\ufffd'))
      t.equal(response.json()[field], expected, 'the create answers the replacement characters')
      t.equal((await app.inject({ method: 'GET', url: `/tasks/${response.json().id}` })).json()[field], expected, 'GET returns the same')
    })
  }

  await t.test('an invalid byte outside any string is a 400 malformed-json problem', async (t) => {
    const problem = assertProblem(t, await sendRaw(app, 'POST', '/tasks', bytes('{"title":"x"', [0xff], '}')), [400], '/tasks')
    t.match(problem.type, /\/malformed-json$/)
  })

  await t.test('an invalid byte in a key is a 422 naming the key as decoded', async (t) => {
    const response = await sendRaw(app, 'POST', '/tasks', bytes('{"title":"x","tit', [0xff], 'le":"y"}'))
    assertRejectedBody(t, response, '/tasks', 'tit\ufffdle')
  })
  await assertHealthy(t, app)
})

/** What came back on a raw connection: a status line and its body, or nothing. */
interface RawAnswer extends Answer {
  /** Whether the server closed the connection before the deadline. */
  closed: boolean
  elapsedMs: number
}

function parseRawAnswer (bytes: Buffer, closed: boolean, elapsedMs: number): RawAnswer {
  const text = bytes.toString('utf8')
  const headEnd = text.indexOf('\r\n\r\n')
  const [statusLine = '', ...headerLines] = (headEnd === -1 ? text : text.slice(0, headEnd)).split('\r\n')
  const headers: Record<string, string> = {}
  for (const line of headerLines) {
    const colon = line.indexOf(':')
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]
  return { statusCode: status === undefined ? 0 : Number(status), headers, body: headEnd === -1 ? '' : text.slice(headEnd + 4), closed, elapsedMs }
}

/**
 * Sends `parts` one after another on a new connection, `paceMs` apart, and
 * stops writing as soon as the server answers or closes, so that a server
 * that refuses early is read rather than reset by data it never wanted.
 * Resolves once the server closes, or after `waitMs`.
 */
async function rawExchange (port: number, parts: Array<string | Buffer>, { paceMs = 20, waitMs = 5000 } = {}): Promise<RawAnswer> {
  const connection = await rawConnection(port)
  for (const part of parts) {
    if (connection.answered()) break
    await Promise.race([new Promise<void>((resolve) => connection.socket.write(part, () => resolve())), connection.closing])
    await sleep(paceMs)
  }
  await Promise.race([connection.closing, sleep(waitMs)])
  return connection.finish()
}

/**
 * A new connection to `port` that collects what the server sends. A reset
 * (the server hanging up while a byte is on its way) ends it like a close:
 * events.once would reject on the 'error' that comes first.
 */
async function rawConnection (port: number) {
  const started = Date.now()
  const socket = connect(port, '127.0.0.1')
  const chunks: Buffer[] = []
  let closed = false
  socket.on('data', (chunk: Buffer) => chunks.push(chunk))
  socket.on('error', () => {})
  const closing = new Promise<void>((resolve) => socket.once('close', () => { closed = true; resolve() }))
  await once(socket, 'connect')
  return {
    socket,
    /** Resolves once the server has closed the connection. */
    closing,
    /** Whether the server has answered or closed: a client stops sending then. */
    answered: () => closed || chunks.length > 0,
    /** Closes the connection and reads what the server sent. */
    finish: (): RawAnswer => {
      socket.destroy()
      return parseRawAnswer(Buffer.concat(chunks), closed, Date.now() - started)
    }
  }
}

/** `text` cut into pieces of `size` characters. */
function pieces (text: string, size = 8 * 1024): string[] {
  const result: string[] = []
  for (let i = 0; i < text.length; i += size) result.push(text.slice(i, i + size))
  return result
}

const longUrlRequest = () => `GET /tasks?q=${'a'.repeat(HUNDRED_KB)} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`
const longHeaderRequest = () => `GET /health HTTP/1.1\r\nHost: localhost\r\nX-Hostile: ${'a'.repeat(HUNDRED_KB)}\r\nConnection: close\r\n\r\n`
const manyHeadersRequest = () =>
  `GET /health HTTP/1.1\r\nHost: localhost\r\n${Array.from({ length: 2000 }, (_, i) => `X-Hostile-${String(i).padStart(4, '0')}: v\r\n`).join('')}Connection: close\r\n\r\n`

t.test('over real HTTP: long URLs, long and many headers, oversized and split bodies', async (t) => {
  const server = await startServer(t, { DATABASE_URL: ':memory:' })
  const port = Number(new URL(server.url).port)
  const assertServerHealthy = async (t: Test) => {
    const health = await fetch(`${server.url}/health`)
    t.equal(health.status, 200, 'GET /health is 200 afterwards')
    t.equal(server.process.exitCode, null, 'the server process is still running')
  }

  const refused = [
    { name: 'a 100 KB URL', request: longUrlRequest() },
    { name: 'a 100 KB header value', request: longHeaderRequest() },
    { name: '2000 headers (about 40 KB)', request: manyHeadersRequest() }
  ]
  for (const { name, request } of refused) {
    await t.test(`${name} is a 4xx`, async (t) => {
      const answer = await rawExchange(port, pieces(request))
      t.ok(answer.statusCode >= 400 && answer.statusCode < 500, `answered ${answer.statusCode} (a 4xx)`)
      t.comment(`${name}: ${answer.statusCode} ${String(answer.headers['content-type'])} ${answer.body.slice(0, 120)}`)
      t.ok(answer.closed, 'and the connection is closed')
      await assertServerHealthy(t)
    })
  }

  await t.test('2000 short headers that fit the header limit are served', async (t) => {
    const request = `GET /health HTTP/1.1\r\nHost: localhost\r\n${Array.from({ length: 2000 }, (_, i) => `h${i}:v\r\n`).join('')}Connection: close\r\n\r\n`
    const answer = await rawExchange(port, pieces(request))
    t.equal(answer.statusCode, 200)
    await assertServerHealthy(t)
  })

  await t.test('a 12 KB q (within the header limit) is a 422 naming q', async (t) => {
    const answer = await rawExchange(port, [`GET /tasks?q=${'a'.repeat(12 * 1024)} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`])
    assertNamesParameter(t, assertProblem(t, answer, [422], '/tasks'), 'q')
  })

  await t.test('a malformed percent-encoding in the path is a 400 problem', async (t) => {
    const answer = await rawExchange(port, ['GET /tasks/%ZZ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'])
    t.match(assertProblem(t, answer, [400]).type, /\/bad-request$/)
  })

  await t.test('a Content-Length over 1 MiB is a 413 problem before the body is read', async (t) => {
    const head = `POST /tasks HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${2 * BODY_LIMIT_BYTES}\r\nConnection: close\r\n\r\n`
    const answer = await rawExchange(port, [head, '{"title":"'])
    t.match(assertProblem(t, answer, [413], '/tasks').type, /\/payload-too-large$/)
    await assertServerHealthy(t)
  })

  await t.test('a chunked body over 1 MiB is a 413 problem', async (t) => {
    const head = 'POST /tasks HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n'
    const chunk = 'd'.repeat(64 * 1024)
    const chunks = Array.from({ length: 32 }, () => `${chunk.length.toString(16)}\r\n${chunk}\r\n`)
    const answer = await rawExchange(port, [head, 'b\r\n{"title":"x\r\n', ...chunks, '0\r\n\r\n'], { paceMs: 1 })
    t.match(assertProblem(t, answer, [413], '/tasks').type, /\/payload-too-large$/)
    await assertServerHealthy(t)
  })

  await t.test('a multi-byte character split across TCP writes is stored whole', async (t) => {
    const body = Buffer.from(JSON.stringify({ title: 'split é 🎉' }))
    const cut = body.indexOf(Buffer.from('🎉')) + 2
    const head = `POST /tasks HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`
    const answer = await rawExchange(port, [head, body.subarray(0, cut), body.subarray(cut)], { paceMs: 50 })
    t.equal(answer.statusCode, 201)
    const task = JSON.parse(answer.body) as { id: number }
    const fetched = await fetch(`${server.url}/tasks/${task.id}`)
    t.equal((await fetched.json() as { title: string }).title, 'split é 🎉')
  })

  await assertServerHealthy(t)
  t.equal(await server.stop(), 0, 'the server still stops cleanly, exit 0')
})

t.test('over real HTTP: a request refused by the HTTP parser still gets a problem body', async (t) => {
  const server = await startServer(t, { DATABASE_URL: ':memory:' })
  const port = Number(new URL(server.url).port)
  for (const request of [longUrlRequest(), longHeaderRequest(), manyHeadersRequest()]) {
    const answer = await rawExchange(port, pieces(request))
    assertProblem(t, answer, [400, 414, 431])
  }
  t.equal(await server.stop(), 0, 'the server still stops cleanly, exit 0')
})

/**
 * Starts a POST /tasks announcing a 100-byte body, sends one byte, then
 * nothing (`stall`) or one more byte a second (`dribble`). Resolves when the
 * server answers and closes, or at `deadlineMs`.
 */
async function slowBody (port: number, mode: 'stall' | 'dribble', deadlineMs: number): Promise<RawAnswer> {
  const connection = await rawConnection(port)
  connection.socket.write('POST /tasks HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{')
  const dribbling = mode === 'dribble'
    ? setInterval(() => { if (!connection.answered()) connection.socket.write(' ') }, 1000)
    : undefined
  await Promise.race([connection.closing, sleep(deadlineMs)])
  clearInterval(dribbling)
  return connection.finish()
}

t.test('over real HTTP: a body sent too slowly is cut off within 35 s and the server stays healthy', async (t) => {
  // A short request timeout, so that Node's 30 s connection check is the only wait.
  const server = await startServer(t, { DATABASE_URL: ':memory:', REQUEST_TIMEOUT_MS: '2000' })
  const port = Number(new URL(server.url).port)
  const deadlineMs = 35_000
  const answers = await Promise.all([slowBody(port, 'stall', deadlineMs), slowBody(port, 'dribble', deadlineMs)])
  for (const [mode, answer] of [['stalled', answers[0]], ['dribbled', answers[1]]] as const) {
    t.ok(answer.closed, `the ${mode} request was closed within ${deadlineMs / 1000} s (after ${answer.elapsedMs} ms)`)
    if (answer.statusCode !== 0) t.equal(answer.statusCode, 408, `the ${mode} request is answered 408`)
  }
  const health = await fetch(`${server.url}/health`)
  t.equal(health.status, 200, 'GET /health is 200 afterwards')
  t.equal(await server.stop(), 0, 'the server still stops cleanly, exit 0')
})
