import t, { type Test } from 'tap'
import { EventSource } from 'eventsource'
import { bearer, build, createTask, signIn, TIMESTAMP } from '../../helper.js'
import { apolloWorld } from '../apollo-world.js'

type App = Awaited<ReturnType<typeof build>>

// Without load shedding, as startServer does: on a busy machine the first
// requests of a new process can find the event loop lagging from its compiles.
const quiet = (t: Test, env: Record<string, string> = {}) => build(t, { MAX_EVENT_LOOP_DELAY_MS: '0', ...env })

const comment = async (app: App, taskId: number, body: unknown, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: `/tasks/${taskId}/comments`, headers, payload: body as Record<string, unknown> })

t.test('POST /tasks/{task_id}/comments stores the comment, trimmed, and answers 201 with it; GET lists it', async (t) => {
  const app = await quiet(t)
  const task = await createTask(app, { title: 'Discuss me' })
  const response = await comment(app, task.id, { body: '  Looks good to me.\n' })
  t.equal(response.statusCode, 201)
  t.equal(response.headers['content-type'], 'application/json; charset=utf-8')
  const created = response.json()
  t.match(created, { id: Number, task_id: task.id, body: 'Looks good to me.', author: 'local', created_at: TIMESTAMP })
  t.same(Object.keys(created).sort(), ['author', 'body', 'created_at', 'id', 'task_id'])

  const listed = await app.inject({ method: 'GET', url: `/tasks/${task.id}/comments` })
  t.equal(listed.statusCode, 200)
  t.same(listed.json(), { items: [created], total: 1, limit: 20, offset: 0, has_more: false, next_cursor: null })
  t.equal(listed.headers.link, undefined)
  t.same((await app.inject({ method: 'GET', url: `/tasks/${(await createTask(app, { title: 'Quiet' })).id}/comments/` })).json().items, [], 'another task has none (a trailing slash works too)')
})

t.test('comments are listed oldest first, a page at a time, by offset or by cursor', async (t) => {
  const app = await quiet(t)
  const task = await createTask(app, { title: 'Busy' })
  const ids: number[] = []
  for (const index of [1, 2, 3, 4, 5]) ids.push((await comment(app, task.id, { body: `Comment ${index}` })).json().id)

  const first = await app.inject({ method: 'GET', url: `/tasks/${task.id}/comments?limit=2` })
  t.match(first.json(), { total: 5, limit: 2, offset: 0, has_more: true, next_cursor: String })
  t.same(first.json().items.map(({ id }: { id: number }) => id), ids.slice(0, 2))
  t.equal(first.headers.link, `</tasks/${task.id}/comments?limit=2&offset=2>; rel="next"`)
  const last = await app.inject({ method: 'GET', url: `/tasks/${task.id}/comments?limit=2&offset=4` })
  t.match(last.json(), { items: [{ id: ids[4], body: 'Comment 5' }], total: 5, has_more: false, next_cursor: null })

  const byCursor = await app.inject({ method: 'GET', url: `/tasks/${task.id}/comments?limit=2&cursor=${first.json().next_cursor as string}` })
  t.same(byCursor.json().items.map(({ id }: { id: number }) => id), ids.slice(2, 4))
  t.match(byCursor.json(), { total: 5, has_more: true })
  t.match(byCursor.headers.link, /cursor=/)

  const mixed = await app.inject({ method: 'GET', url: `/tasks/${task.id}/comments?offset=2&cursor=${first.json().next_cursor as string}` })
  t.match([mixed.statusCode, mixed.json().errors], [422, [{ parameter: 'cursor' }]], 'a cursor and an offset together are refused')
  const other = await createTask(app, { title: 'Other' })
  const foreign = await app.inject({ method: 'GET', url: `/tasks/${other.id}/comments?cursor=${first.json().next_cursor as string}` })
  t.match([foreign.statusCode, foreign.json().errors], [422, [{ parameter: 'cursor' }]], 'a cursor of another task\'s comments is refused')
  t.equal((await app.inject({ method: 'GET', url: `/tasks/${task.id}/comments?limit=101` })).statusCode, 422)
})

t.test('a body that is empty, blank, too long, missing, not text or comes with unknown fields is a 422 naming it', async (t) => {
  const app = await quiet(t)
  const task = await createTask(app, { title: 'Strict' })
  const longest = 'é'.repeat(5000)
  const atLimit = await comment(app, task.id, { body: ` ${longest} ` })
  t.equal(atLimit.statusCode, 201, '5000 characters with surrounding spaces is accepted')
  t.equal(atLimit.json().body, longest)

  for (const body of ['', ' \n\t ', 'x'.repeat(5001), 'a\u0000b', 42, null]) {
    const response = await comment(app, task.id, { body })
    t.equal(response.statusCode, 422, `body ${JSON.stringify(body).slice(0, 12)}`)
    t.match(response.json(), { type: /\/validation$/, errors: [{ pointer: '#/body' }] })
  }
  const missing = await comment(app, task.id, {})
  t.match([missing.statusCode, missing.json().errors], [422, [{ pointer: '#/body' }]])
  const unknown = await comment(app, task.id, { body: 'Fine', author: 'someone else' })
  t.match([unknown.statusCode, unknown.json().errors], [422, [{ pointer: '#/author', detail: 'is not a known field' }]], 'an unknown field is refused, not ignored')
  const badId = await comment(app, 0, { body: 'Fine' })
  t.match([badId.statusCode, badId.json().errors], [422, [{ parameter: 'task_id' }]])
  t.same((await app.inject({ method: 'GET', url: `/tasks/${task.id}/comments` })).json().total, 1, 'nothing refused was stored')
})

t.test('a missing or soft-deleted task is a 404 problem, for comments and their list', async (t) => {
  const app = await quiet(t)
  t.match((await app.inject({ method: 'GET', url: '/tasks/999999/comments' })).json(), { status: 404, type: /\/not-found$/, detail: 'Task 999999 was not found.' })
  t.match((await comment(app, 999999, { body: 'Anyone?' })).json(), { status: 404, type: /\/not-found$/, detail: 'Task 999999 was not found.' })
  const task = await createTask(app, { title: 'Soon gone' })
  await comment(app, task.id, { body: 'Before' })
  await app.inject({ method: 'DELETE', url: `/tasks/${task.id}` })
  t.equal((await comment(app, task.id, { body: 'After' })).statusCode, 404)
  t.equal((await app.inject({ method: 'GET', url: `/tasks/${task.id}/comments` })).statusCode, 404)
  await app.inject({ method: 'POST', url: `/tasks/${task.id}/restore` })
  t.same((await app.inject({ method: 'GET', url: `/tasks/${task.id}/comments` })).json().items.map(({ body }: { body: string }) => body), ['Before'], 'restored, it has its comments again')
})

t.test('with AUTH=on: members comment, a project\'s viewer reads but may not comment, and others do not find the task', async (t) => {
  const app = await quiet(t, { AUTH: 'on' })
  const { as, apollo } = await apolloWorld(app)
  const byBob = await comment(app, apollo.id, { body: 'On it' }, as('bob'))
  t.match([byBob.statusCode, byBob.json()], [201, { author: 'bob' }])
  t.equal((await comment(app, apollo.id, { body: 'The owner too' }, as('ann'))).statusCode, 201)
  t.equal((await comment(app, apollo.id, { body: 'And an administrator' }, as('root'))).statusCode, 201)

  const byCat = await comment(app, apollo.id, { body: 'Me too' }, as('cat'))
  t.match([byCat.statusCode, byCat.json()], [403, { type: /\/forbidden$/, detail: `You can see task ${apollo.id} but not change it: you are a viewer of its project.` }])
  t.same((await app.inject({ method: 'GET', url: `/tasks/${apollo.id}/comments`, headers: as('cat') })).json().items.map(({ author }: { author: string }) => author), ['bob', 'ann', 'root'], 'the viewer reads them')

  t.equal((await comment(app, apollo.id, { body: 'Hello?' }, as('eve'))).statusCode, 404, 'an outsider is told the task is not found')
  t.equal((await app.inject({ method: 'GET', url: `/tasks/${apollo.id}/comments`, headers: as('eve') })).statusCode, 404)
  const annsOwn = (await app.inject({ method: 'POST', url: '/tasks', headers: as('ann'), payload: { title: 'Mine' } })).json()
  t.equal((await comment(app, annsOwn.id, { body: 'Not his' }, as('bob'))).statusCode, 404, 'nor is someone else\'s own task found')

  const anonymous = await comment(app, apollo.id, { body: 'Who am I' })
  t.match([anonymous.statusCode, anonymous.headers['www-authenticate']], [401, /^Bearer realm="task-api"/])
  t.equal((await app.inject({ method: 'GET', url: `/tasks/${apollo.id}/comments` })).statusCode, 401)
  const readOnly = bearer((await signIn(app, 'bob', { scope: 'tasks:read' })).access_token)
  const lacking = await comment(app, apollo.id, { body: 'Read only' }, readOnly)
  t.match([lacking.statusCode, lacking.json().type, lacking.headers['www-authenticate']], [403, /\/insufficient-scope$/, /scope="tasks:write"/])
  t.equal((await app.inject({ method: 'GET', url: `/tasks/${apollo.id}/comments`, headers: readOnly })).statusCode, 200, 'tasks:read reads them')
})

/** A real EventSource client on `url` with these headers, closed when the test ends: the feed events it gets, in order. */
function feed (t: Test, url: string, headers: Record<string, string>) {
  const received: Array<{ id: string, type: string, data: any }> = []
  let arrived = () => {}
  const source = new EventSource(url, { fetch: async (input, init) => fetch(input, { ...init, headers: { ...init.headers, ...headers } }) })
  const opened = new Promise<void>((resolve, reject) => {
    source.onopen = () => resolve()
    source.onerror = reject
  })
  for (const type of ['task.created', 'comment.created']) {
    source.addEventListener(type, (event) => {
      received.push({ id: event.lastEventId, type, data: JSON.parse(event.data) })
      arrived()
    })
  }
  t.teardown(() => source.close())
  return {
    opened,
    /** The first `count` events, once they have arrived. */
    async first (count: number) {
      while (received.length < count) await new Promise<void>((resolve) => { arrived = resolve })
      return received.slice(0, count)
    }
  }
}

t.test('a comment is on GET /events as comment.created for whoever may see its task, and not for an outsider', async (t) => {
  const app = await quiet(t, { AUTH: 'on' })
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  const { as, apollo } = await apolloWorld(app)
  const cats = feed(t, `${url}/events`, as('cat'))
  const eves = feed(t, `${url}/events`, as('eve'))
  const anns = feed(t, `${url}/events`, as('ann'))
  await Promise.all([cats.opened, eves.opened, anns.opened])

  const byBob = (await comment(app, apollo.id, { body: 'Shipping Friday' }, as('bob'))).json()
  const annsOwn = (await app.inject({ method: 'POST', url: '/tasks', headers: as('ann'), payload: { title: 'Hers alone' } })).json()
  const byRoot = (await comment(app, annsOwn.id, { body: 'Seen by an administrator' }, as('root'))).json()
  const evesOwn = (await app.inject({ method: 'POST', url: '/tasks', headers: as('eve'), payload: { title: 'Eve\'s' } })).json()

  const [event] = await cats.first(1)
  t.match(event, { id: /^\d+$/, type: 'comment.created' })
  t.same(event?.data, { type: 'comment.created', timestamp: byBob.created_at, data: byBob }, 'the project\'s viewer gets the comment as the API shows it')
  t.same((await anns.first(3)).map(({ type, data }) => [type, data.data.id]), [['comment.created', byBob.id], ['task.created', annsOwn.id], ['comment.created', byRoot.id]],
    'the task\'s creator gets an administrator\'s comment on her own task: the task decides who reads it, not the author')
  t.same((await eves.first(1)).map(({ type, data }) => [type, data.data.id]), [['task.created', evesOwn.id]], 'the outsider\'s first event is her own task, made after both comments: she got neither')
})

t.test('webhooks are not sent comments, nor can they ask for them', async (t) => {
  const app = await quiet(t, { WEBHOOK_ALLOW_PRIVATE: 'true', JOB_WORKER: 'off' })
  const everything = ['task.created', 'task.updated', 'task.deleted', 'task.restored', 'task.completed']
  const webhook = (await app.inject({ method: 'POST', url: '/webhooks', payload: { url: 'http://127.0.0.1:9/hook', events: everything } })).json()
  const task = await createTask(app, { title: 'Watched' })
  t.equal((await comment(app, task.id, { body: 'Quietly' })).statusCode, 201)
  const deliveries = (await app.inject({ method: 'GET', url: `/webhooks/${webhook.id as number}/deliveries` })).json().items
  t.same(deliveries.map(({ event }: { event: string }) => event), ['task.created'], 'the task\'s creation only')
  const asking = await app.inject({ method: 'POST', url: '/webhooks', payload: { url: 'http://127.0.0.1:9/hook', events: ['comment.created'] } })
  t.match([asking.statusCode, asking.json().errors], [422, [{ pointer: '#/events/0' }]])
})
