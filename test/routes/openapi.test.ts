import t, { type Test } from 'tap'
import { Validator } from '@seriousme/openapi-schema-validator'
import { Ajv } from 'ajv'
import { build } from '../helper.js'

type Json = Record<string, any>

async function openApiDocument (t: Test) {
  const app = await build(t)
  const response = await app.inject({ method: 'GET', url: '/openapi.json' })
  t.equal(response.statusCode, 200)
  t.equal(response.headers['content-type'], 'application/json; charset=utf-8')
  return response.json() as Json
}

const TASK_OPERATIONS = {
  createTask: ['post', '/tasks', '201'],
  listTasks: ['get', '/tasks', '200'],
  getTask: ['get', '/tasks/{task_id}', '200'],
  updateTask: ['patch', '/tasks/{task_id}', '200'],
  replaceTask: ['put', '/tasks/{task_id}', '200'],
  deleteTask: ['delete', '/tasks/{task_id}', '204'],
  restoreTask: ['post', '/tasks/{task_id}/restore', '200']
} as const

t.test('GET /openapi.json serves a valid OpenAPI 3.1 document', async (t) => {
  const document = await openApiDocument(t)
  t.equal(document.openapi, '3.1.0')
  const result = await new Validator().validate(document)
  t.same(result.errors, undefined, 'no validation errors')
  t.equal(result.valid, true)
})

t.test('the validator used above rejects a broken document', async (t) => {
  const document = await openApiDocument(t)
  delete document.paths['/tasks'].get.responses
  document.paths['/tasks'].post.parameters = [{ in: 'nowhere' }]
  t.equal((await new Validator().validate(document)).valid, false)
})

/** Every JSON Schema in the document: the components and each `schema` of a parameter, body or header. */
function schemasIn (document: Json): Array<[string, Json]> {
  const found: Array<[string, Json]> = Object.entries(document.components.schemas as Json).map(([name, schema]) => [`#/components/schemas/${name}`, schema])
  const walk = (node: unknown, path: string): void => {
    if (typeof node !== 'object' || node === null) return
    for (const [key, value] of Object.entries(node)) {
      if (key === 'schema') found.push([`${path}/schema`, value])
      else walk(value, `${path}/${key}`)
    }
  }
  walk(document.paths, '#/paths')
  return found
}

// The server's validators do not check schemas on start (see
// src/request-validator.ts): this does, against the JSON Schema meta-schema
// of the validators' dialect.
t.test('every schema in the document is a valid JSON Schema', async (t) => {
  const ajv = new Ajv()
  const schemas = schemasIn(await openApiDocument(t))
  t.ok(schemas.length > 50, `${schemas.length} schemas checked`)
  for (const [where, schema] of schemas) {
    if (!ajv.validateSchema(schema)) t.fail(`${where}: ${ajv.errorsText()}`)
  }
  t.notOk(ajv.validateSchema({ type: 'object', properties: { title: { type: 'strin', maxLength: -1 } } }), 'and the check refuses a broken schema')
})

t.test('every task operation is documented for generated clients', async (t) => {
  const document = await openApiDocument(t)
  const seen: string[] = []
  for (const [path, operations] of Object.entries<Json>(document.paths)) {
    for (const [method, operation] of Object.entries<Json>(operations)) {
      seen.push(operation.operationId)
      if (!path.startsWith('/tasks')) continue
      const name = `${method.toUpperCase()} ${path}`
      // A task's attachments are made and listed under it, and grouped with the
      // other attachment operations; its weather, with the weather.
      const tag = path.endsWith('/attachments') ? 'Attachments' : path.endsWith('/weather') ? 'Weather' : 'Tasks'
      t.match(operation, { summary: String, description: String, tags: [tag] }, name)
      t.ok(operation.description.length > 20, `${name} has a real description`)
    }
  }
  t.equal(new Set(seen).size, seen.length, 'operationIds are unique')

  for (const [operationId, [method, path, success]] of Object.entries(TASK_OPERATIONS)) {
    const operation = document.paths[path]?.[method]
    t.equal(operation?.operationId, operationId, `${method} ${path} is ${operationId}`)
    t.ok(operation.responses[success], `${operationId} documents its ${success}`)
    for (const [status, response] of Object.entries<Json>(operation.responses)) {
      if (Number(status) < 400) continue
      t.same(Object.keys(response.content), ['application/problem+json'], `${operationId} ${status} is a problem`)
      t.same(response.content['application/problem+json'].schema, { $ref: '#/components/schemas/Problem' })
    }
  }
  const statuses = (operationId: keyof typeof TASK_OPERATIONS) => {
    const [method, path] = TASK_OPERATIONS[operationId]
    return Object.keys(document.paths[path][method].responses).sort()
  }
  t.same(statuses('createTask'), ['201', '400', '401', '403', '409', '413', '415', '422', '429', '500', '503'])
  t.same(statuses('listTasks'), ['200', '401', '403', '422', '429', '500', '503'])
  t.same(statuses('getTask'), ['200', '304', '400', '401', '403', '404', '422', '429', '500', '503'])
  t.same(statuses('updateTask'), ['200', '400', '401', '403', '404', '412', '413', '415', '422', '428', '429', '500', '503'])
  t.same(statuses('replaceTask'), ['200', '400', '401', '403', '404', '412', '413', '415', '422', '428', '429', '500', '503'])
  t.same(statuses('deleteTask'), ['204', '400', '401', '403', '404', '412', '413', '415', '422', '428', '429', '500', '503'])
  t.same(statuses('restoreTask'), ['200', '400', '401', '403', '404', '409', '412', '413', '415', '422', '428', '429', '500', '503'])
  t.match(document.paths['/tasks'].get.responses['503'].description, /Storage unavailable, or server overloaded, or shutting down/)
})

t.test('every request and response header of the HTTP semantics is declared', async (t) => {
  const document = await openApiDocument(t)
  const operation = (operationId: keyof typeof TASK_OPERATIONS) => {
    const [method, path] = TASK_OPERATIONS[operationId]
    return document.paths[path][method]
  }
  const requestHeaders = (operationId: keyof typeof TASK_OPERATIONS) =>
    (operation(operationId).parameters as Json[] ?? []).filter((parameter) => parameter.in === 'header').map((parameter) => parameter.name).sort()
  t.same(requestHeaders('createTask'), ['idempotency-key'])
  t.same(requestHeaders('getTask'), ['if-none-match'])
  t.same(requestHeaders('updateTask'), ['if-match'])
  t.same(requestHeaders('replaceTask'), ['if-match'])
  t.same(requestHeaders('deleteTask'), ['if-match'])
  t.same(requestHeaders('restoreTask'), ['idempotency-key', 'if-match'])
  const key = (operation('createTask').parameters as Json[]).find((parameter) => parameter.name === 'idempotency-key')
  t.match(key, { required: false, schema: { type: 'string', minLength: 1, maxLength: 255 }, description: String })

  const responseHeaders = (operationId: keyof typeof TASK_OPERATIONS, status: string) =>
    Object.keys(operation(operationId).responses[status].headers ?? {}).sort()
  t.same(responseHeaders('createTask', '201'), ['Cache-Control', 'ETag', 'Idempotent-Replayed', 'Location'])
  t.same(responseHeaders('getTask', '200'), ['Cache-Control', 'ETag'])
  t.same(responseHeaders('getTask', '304'), ['Cache-Control', 'ETag'])
  t.equal(operation('getTask').responses['304'].content, undefined, 'a 304 has no body')
  t.same(responseHeaders('updateTask', '200'), ['Cache-Control', 'ETag'])
  t.same(responseHeaders('replaceTask', '200'), ['Cache-Control', 'ETag'])
  t.same(responseHeaders('restoreTask', '200'), ['Cache-Control', 'ETag', 'Idempotent-Replayed'])
  t.same(responseHeaders('listTasks', '200'), ['Link'])
  t.match(operation('getTask').responses['200'].headers.ETag, { description: String, schema: { type: 'string' } })
  for (const operationId of ['updateTask', 'replaceTask', 'deleteTask', 'restoreTask'] as const) {
    t.match(operation(operationId).responses['412'].description, /Precondition failed/, `${operationId} 412`)
    t.match(operation(operationId).responses['428'].description, /Precondition required/, `${operationId} 428`)
  }
})

t.test('shared schemas are named components reached by $ref', async (t) => {
  const document = await openApiDocument(t)
  const schemas = document.components.schemas
  for (const name of ['Task', 'TaskCreate', 'TaskReplace', 'TaskUpdate', 'TaskList', 'TaskStatus', 'Problem', 'ProblemFieldError']) {
    t.ok(schemas[name], `${name} is a component`)
  }
  const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` })
  t.same(document.paths['/tasks'].post.requestBody.content['application/json'].schema, ref('TaskCreate'))
  t.same(document.paths['/tasks/{task_id}'].patch.requestBody.content['application/json'].schema, ref('TaskUpdate'))
  t.same(document.paths['/tasks/{task_id}'].put.requestBody.content['application/json'].schema, ref('TaskReplace'))
  t.same(document.paths['/tasks'].post.responses['201'].content['application/json'].schema, ref('Task'))
  t.same(document.paths['/tasks'].get.responses['200'].content['application/json'].schema, ref('TaskList'))
  t.same(schemas.TaskList.properties.items.items, ref('Task'))
  t.same(schemas.Task.properties.status, ref('TaskStatus'))
})

t.test('an enum is one enum, never an anyOf of literals', async (t) => {
  const document = await openApiDocument(t)
  t.same(document.components.schemas.TaskStatus, {
    title: 'TaskStatus',
    description: 'Where a task stands in its life cycle.',
    type: 'string',
    enum: ['pending', 'in_progress', 'done', 'cancelled']
  })
  const literalUnions: string[] = []
  const walk = (node: unknown, path: string) => {
    if (node === null || typeof node !== 'object') return
    const schema = node as Json
    for (const keyword of ['anyOf', 'oneOf']) {
      if (Array.isArray(schema[keyword]) && schema[keyword].every((branch: Json) => 'const' in branch || branch.enum?.length === 1)) {
        literalUnions.push(path)
      }
    }
    for (const [key, value] of Object.entries(schema)) walk(value, `${path}/${key}`)
  }
  walk(document, '#')
  t.same(literalUnions, [])
})

t.test('list parameters are documented with their defaults and are optional', async (t) => {
  const document = await openApiDocument(t)
  const parameters = document.paths['/tasks'].get.parameters as Json[]
  t.same(parameters.map((parameter) => parameter.name).sort(), ['cursor', 'due_after', 'due_before', 'include_deleted', 'limit', 'offset', 'overdue', 'priority', 'project', 'q', 'sort_by', 'sort_order', 'status', 'updated_since'])
  t.ok(parameters.every((parameter) => parameter.in === 'query' && parameter.required === false))
  t.match(parameters.find((parameter) => parameter.name === 'limit'), { schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } })
  const sortBy = parameters.find((parameter) => parameter.name === 'sort_by')
  t.match(sortBy, { schema: { default: 'created_at' } })
  // Whole: t.match would take the start of the list.
  t.same(sortBy?.schema.enum, ['created_at', 'priority', 'title', 'due_at'])
})

t.test('GET /docs serves Swagger UI', async (t) => {
  const app = await build(t)
  const response = await app.inject({ method: 'GET', url: '/docs/' })
  t.equal(response.statusCode, 200)
  t.match(response.headers['content-type'], /^text\/html/)
  t.match(response.body, /swagger-ui/i)
})
