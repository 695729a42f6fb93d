import t from 'tap'
import { spawnSync } from 'node:child_process'
import { symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Validator } from '@seriousme/openapi-schema-validator'
import openapiTS, { astToString } from 'openapi-typescript'
import { build, ROOT, temporaryDirectory } from '../helper.js'

type Json = Record<string, any>
type App = Awaited<ReturnType<typeof build>>

async function documentAt (app: App, url: string): Promise<Json> {
  const response = await app.inject({ method: 'GET', url })
  t.equal(response.statusCode, 200, url)
  return response.json()
}

const operationsOf = (document: Json) => Object.entries<Json>(document.paths)
  .flatMap(([path, operations]) => Object.entries<Json>(operations).map(([method, operation]) => ({ path, method, operation })))

t.test('each version has its own valid OpenAPI document', async (t) => {
  const app = await build(t)
  const current = await documentAt(app, '/openapi.json')
  const v2 = await documentAt(app, '/v2/openapi.json')
  const v1 = await documentAt(app, '/v1/openapi.json')
  for (const [name, document] of Object.entries({ current, v1, v2 })) {
    const result = await new Validator().validate(document)
    t.same(result.errors, undefined, `${name}: no validation errors`)
    t.equal(result.valid, true, `${name} is valid OpenAPI 3.1`)
  }

  t.notOk(Object.keys(current.paths).some((path) => path.startsWith('/v1')), 'the current document has the unprefixed paths only')
  t.equal(current.servers, undefined)
  t.same(v2.servers, [{ url: '/v2', description: String(v2.servers[0].description) }], 'version 2 is served under /v2')
  t.same(v2.paths, current.paths, 'with the current contract\'s paths')
  t.same(v2.components, current.components)
  t.match(v2.info, { title: 'Task API, version 2' })
  t.match(v2.paths['/tasks'].get.responses['200'].content['application/json'].schema, { $ref: '#/components/schemas/TaskList' }, 'whose list is a page')

  t.same(v1.servers, [{ url: '/v1', description: 'Version 1 (deprecated).' }])
  t.match(v1.info, { title: 'Task API, version 1 (deprecated)', version: '1', description: /Deprecated since 2026-12-01, gone after 2027-06-30/ })
  t.same(Object.keys(v1.paths).sort(), Object.keys(current.paths).filter((path) => path === '/tasks' || path.startsWith('/tasks/')).sort(), 'version 1 has the task resource')
  const v1List = v1.paths['/tasks'].get
  t.match(v1List, { operationId: 'listTasksV1', deprecated: true })
  t.match(v1List.responses['200'].content['application/json'].schema, { type: 'array', items: { $ref: '#/components/schemas/Task' } }, 'whose list is a bare array')
  t.notOk(v1List.parameters.some((parameter: Json) => parameter.name === 'cursor'), 'paged by offset alone')
  t.match(v1.paths['/tasks'].post, { operationId: 'createTask' }, 'its other operations are version 2\'s')
  for (const { path, method, operation } of operationsOf(v1)) {
    t.equal(operation.deprecated, true, `v1 ${method} ${path} is deprecated`)
    for (const [status, response] of Object.entries<Json>(operation.responses)) {
      t.ok(response.headers?.Deprecation && response.headers?.Sunset && response.headers?.Link, `v1 ${method} ${path} ${status} documents Deprecation, Sunset and Link`)
    }
  }
  t.notOk(operationsOf(current).some(({ operation }) => operation.deprecated === true), 'nothing in the current contract is deprecated')
  t.same(v1.tags.map((tag: Json) => tag.name).sort(), ['Attachments', 'Tasks', 'Weather'], 'the tags of its operations only')
})

t.test('Swagger UI offers both documents, version 2 first', async (t) => {
  const app = await build(t)
  const initializer = await app.inject({ method: 'GET', url: '/docs/static/swagger-initializer.js' })
  t.equal(initializer.statusCode, 200)
  const v2At = initializer.body.indexOf('"url":"/v2/openapi.json","name":"Version 2 (current)"')
  const v1At = initializer.body.indexOf('"url":"/v1/openapi.json","name":"Version 1 (deprecated)"')
  t.ok(v2At > 0 && v1At > v2At, 'the top bar lists version 2, then version 1')
  t.same((await app.inject({ method: 'GET', url: '/docs/json' })).json(), (await app.inject({ method: 'GET', url: '/openapi.json' })).json(), 'its own document is the current one')
})

t.test('a client generated from each document type-checks, and works against the server', async (t) => {
  // Listening on a port, and compiling in this process's event loop's time:
  // load shedding would answer the client 503 for the compile's delay.
  const app = await build(t, { MAX_EVENT_LOOP_DELAY_MS: '0' })
  const work = temporaryDirectory(t)
  for (const version of ['v1', 'v2']) {
    // A field with a default may be left out of a request (defaultNonNullable
    // would have the types demand it, as if every default were a response's).
    const types = await openapiTS(await documentAt(app, `/${version}/openapi.json`) as never, { defaultNonNullable: false })
    writeFileSync(join(work, `${version}.d.ts`), astToString(types))
  }
  symlinkSync(join(ROOT, 'node_modules'), join(work, 'node_modules'))
  writeFileSync(join(work, 'package.json'), JSON.stringify({ type: 'module' }))
  writeFileSync(join(work, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', skipLibCheck: true, lib: ['es2022', 'dom'] },
    files: ['client.ts']
  }))
  // What a script written against each version does; `@ts-expect-error` marks
  // what each version's types must refuse.
  writeFileSync(join(work, 'client.ts'), `
import createClient from 'openapi-fetch'
import type { paths as V1 } from './v1.js'
import type { paths as V2 } from './v2.js'

export async function useBoth (baseUrl: string) {
  const v1 = createClient<V1>({ baseUrl: baseUrl + '/v1' })
  const v2 = createClient<V2>({ baseUrl: baseUrl + '/v2' })
  const created = await v2.POST('/tasks', { body: { title: 'Typed', due_at: '2030-01-01T09:00:00Z', location: { latitude: 52.5, longitude: 13.4 } } })
  const dueAt: string | null | undefined = created.data?.due_at
  const list = await v1.GET('/tasks', { params: { query: { limit: 5, sort_by: 'due_at', overdue: false } } })
  const titles: string[] = (list.data ?? []).map((task) => task.title)
  // @ts-expect-error version 1's list is an array: it has no total
  void list.data?.total
  // @ts-expect-error nor a cursor to page with
  await v1.GET('/tasks', { params: { query: { cursor: 'x' } } })
  const page = await v2.GET('/tasks', { params: { query: { sort_by: 'due_at', cursor: undefined } } })
  const total: number | undefined = page.data?.total
  const more: boolean | undefined = page.data?.has_more
  // @ts-expect-error version 2's list is a page, not an array
  void page.data?.map
  const one = await v1.GET('/tasks/{task_id}', { params: { path: { task_id: created.data?.id ?? 0 } } })
  return { dueAt, titles, total, more, title: one.data?.title, deprecation: list.response.headers.get('deprecation'), statuses: [created.response.status, list.response.status, page.response.status, one.response.status] }
}
`)
  const checked = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(work, 'tsconfig.json')], { encoding: 'utf8' })
  t.equal(checked.status, 0, `tsc: ${checked.stdout}${checked.stderr}`)

  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  const { useBoth } = await import(join(work, 'client.ts')) as { useBoth: (url: string) => Promise<Json> }
  const used = await useBoth(address)
  t.same(used.statuses, [201, 200, 200, 200], 'each call answered')
  t.match(used, { dueAt: '2030-01-01T09:00:00.000Z', titles: ['Typed'], total: 1, more: false, title: 'Typed' }, 'the generated clients read what the server answers')
  t.match(used.deprecation, /^@\d+$/)
})
