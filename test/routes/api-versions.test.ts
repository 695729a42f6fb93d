import t from 'tap'
import { administratorToken, bearer, build, createTask } from '../helper.js'

type App = Awaited<ReturnType<typeof build>>
interface Task { id: number, title: string, priority: number, due_at: string | null }

const SUCCESSOR = /<\/v2\/tasks[^>]*>; rel="successor-version"/

function get (app: App, url: string, headers: Record<string, string> = {}) {
  return app.inject({ method: 'GET', url, headers })
}

/** A few tasks with due times, priorities and a deleted one, for the lists to agree on. */
async function seed (app: App): Promise<Task[]> {
  const tasks: Task[] = []
  for (let index = 0; index < 7; index++) {
    tasks.push(await createTask(app, {
      title: `Task ${index}`,
      priority: 1 + (index % 3),
      ...(index % 2 === 0 ? { due_at: new Date(Date.UTC(2030, 0, 1 + index)).toISOString() } : {})
    }))
  }
  await app.inject({ method: 'DELETE', url: `/tasks/${tasks[3]?.id as number}` })
  return tasks
}

t.test('/v1/tasks lists the same tasks as version 2, as a bare array, for every filter, sort and page', async (t) => {
  const app = await build(t)
  await seed(app)
  for (const query of [
    '', 'limit=2', 'limit=2&offset=2', 'offset=6', 'priority=2', 'sort_by=title&sort_order=asc', 'sort_by=due_at&sort_order=asc',
    'due_after=2030-01-03T00:00:00Z', 'include_deleted=true&sort_by=priority', 'q=task%205', 'overdue=false&limit=3'
  ]) {
    const v1 = await get(app, `/v1/tasks?${query}`)
    const v2 = await get(app, `/v2/tasks?${query}`)
    const unprefixed = await get(app, `/tasks?${query}`)
    t.equal(v1.statusCode, 200, `v1 ${query}: ${v1.body.slice(0, 200)}`)
    t.ok(Array.isArray(v1.json()), `v1 ${query}: a bare array`)
    t.same(v1.json(), v2.json().items, `v1 ${query}: the items of version 2's page`)
    t.same(v2.json(), unprefixed.json(), `v2 ${query}: the unprefixed list, envelope and all`)
    t.equal(v1.headers['x-total-count'], String(v2.json().total), `v1 ${query}: X-Total-Count is the total`)
    t.equal(v2.json().has_more, /rel="next"/.test(String(v1.headers.link)), `v1 ${query}: a next link exactly when version 2 has more`)
  }
  const paged = await get(app, '/v1/tasks?limit=1&priority=1')
  t.match(paged.headers.link, /^<\/v1\/tasks\?limit=1&priority=1&offset=1>; rel="next", <\/v2\/tasks>; rel="successor-version"$/, 'the next page stays in version 1')
  t.match((await get(app, '/v2/tasks?limit=2')).headers.link, /^<\/v2\/tasks\?limit=2&offset=2>; rel="next"$/, 'and version 2\'s in version 2')
})

t.test('every /v1 response says it is deprecated, when it goes, and where its successor is; no other does', async (t) => {
  const app = await build(t)
  const [task] = await seed(app)
  const id = (task as Task).id
  for (const [method, url, status, successor] of [
    ['GET', '/v1/tasks', 200, '</v2/tasks>'],
    ['GET', `/v1/tasks/${id}`, 200, `</v2/tasks/${id}>`],
    ['PATCH', `/v1/tasks/${id}`, 200, `</v2/tasks/${id}>`],
    ['POST', '/v1/tasks', 201, '</v2/tasks>'],
    ['GET', '/v1/tasks/999999', 404, '</v2/tasks/999999>'],
    ['GET', '/v1/tasks?limit=0', 422, '</v2/tasks>'],
    ['GET', '/v1/tasks?cursor=abc', 422, '</v2/tasks>'],
    ['GET', '/v1/projects', 404, '</v2/projects>'],
    ['GET', '/v1/openapi.json', 200, '</v2/openapi.json>']
  ] as const) {
    const response = await app.inject({ method, url, ...(method === 'GET' ? {} : { payload: { title: 'From an old client' } }) })
    t.equal(response.statusCode, status, `${method} ${url}`)
    t.equal(response.headers.deprecation, `@${Date.UTC(2026, 11, 1) / 1000}`, `${method} ${url}: Deprecation is a structured-field date`)
    t.equal(response.headers.sunset, 'Wed, 30 Jun 2027 23:59:59 GMT', `${method} ${url}: Sunset is an HTTP date`)
    t.match(response.headers.link, `${successor}; rel="successor-version"`, `${method} ${url}: Link names the successor`)
  }
  t.match((await get(app, '/v1/tasks?cursor=abc')).json().errors, [{ parameter: 'cursor' }], 'version 1 pages by offset only')
  for (const url of ['/tasks', '/v2/tasks', `/v2/tasks/${id}`, '/v2/openapi.json', '/openapi.json']) {
    const response = await get(app, url)
    t.notOk(response.headers.deprecation, `${url}: not deprecated`)
    t.notOk(response.headers.sunset)
    t.notMatch(String(response.headers.link), SUCCESSOR)
  }
})

t.test('version 2 answers every operation of the unprefixed API under /v2, its links and problems naming /v2 paths', async (t) => {
  const app = await build(t)
  const created = await app.inject({ method: 'POST', url: '/v2/tasks', payload: { title: 'Made in v2', location: { latitude: 1, longitude: 2 } } })
  t.equal(created.statusCode, 201)
  const id = created.json().id as number
  t.equal((await get(app, `/tasks/${id}`)).json().title, 'Made in v2', 'the same task, unprefixed')
  const patched = await app.inject({ method: 'PATCH', url: `/v2/tasks/${id}`, headers: { 'if-match': created.headers.etag as string }, payload: { priority: 5 } })
  t.equal(patched.statusCode, 200)
  t.equal((await app.inject({ method: 'DELETE', url: `/v2/tasks/${id}` })).statusCode, 204)
  t.equal((await app.inject({ method: 'POST', url: `/v2/tasks/${id}/restore` })).statusCode, 200)
  t.equal((await get(app, '/v2/health')).statusCode, 200)
  t.equal((await get(app, '/v2/projects')).statusCode, 200)

  const missing = await get(app, '/v2/tasks/999999?x=1')
  t.match(missing.json(), { status: 404, instance: '/v2/tasks/999999' }, 'a problem\'s instance is the path as asked')
  t.match((await get(app, '/v2/nowhere')).json(), { type: 'https://example.com/errors/route-not-found', instance: '/v2/nowhere' })
  for (const url of ['/v2', '/v2/', '/v2/web/tasks', '/v2/docs', '/v2/v1/tasks', '/v2/v2/tasks']) {
    t.equal((await get(app, url)).statusCode, 404, `${url}: not part of the versioned API`)
  }

  const project = await app.inject({ method: 'POST', url: '/projects', payload: { name: 'Old name', slug: 'old-name' } })
  t.equal(project.statusCode, 201)
  await app.inject({ method: 'PATCH', url: '/projects/old-name', payload: { slug: 'new-name' } })
  const moved = await get(app, '/v2/projects/old-name/members?limit=5')
  t.equal(moved.statusCode, 308)
  t.equal(moved.headers.location, '/v2/projects/new-name/members?limit=5', 'a renamed project\'s redirect stays in version 2')
})

t.test('with AUTH=on the versioned paths need the same tokens and scopes', async (t) => {
  const app = await build(t, { AUTH: 'on' })
  for (const url of ['/v1/tasks', '/v2/tasks', '/v1/tasks/1']) t.equal((await get(app, url)).statusCode, 401, url)
  const token = await administratorToken(app)
  t.equal((await get(app, '/v1/tasks', bearer(token))).statusCode, 200)
  t.equal((await get(app, '/v2/tasks', bearer(token))).statusCode, 200)
  for (const url of ['/v1/openapi.json', '/v2/openapi.json']) t.equal((await get(app, url)).statusCode, 200, `${url} is public, as /openapi.json is`)
})
