import t, { type Test } from 'tap'
import type { InjectOptions } from 'fastify'
import { SCOPE_NAMES, type Scope } from '../src/schemas/token.js'
import { administratorToken, bearer, build, craftJwt, createUser, signIn } from './helper.js'
import { multipartBody } from './multipart.js'
import { startReceiver } from './webhook-receiver.js'
import { startFakeOpenMeteo } from './fake-open-meteo.js'

// Every operation of the API, tried by every kind of caller, in both modes:
// what each may see and do, as a status. Fixtures are made fresh for each
// try, so that one caller's write never changes what the next one meets.

const JWT_SECRET = 'the access matrix signs its expired tokens with this'

type Who = 'anonymous' | 'owner' | 'editor' | 'viewer' | 'outsider' | 'admin' | 'lacking scope' | 'expired token' | 'disabled user'
const CALLERS: Who[] = ['anonymous', 'owner', 'editor', 'viewer', 'outsider', 'admin', 'lacking scope', 'expired token', 'disabled user']

// The members of project apollo: ann owns it, bob edits, cat views, fay
// views (others remove her), dis edits until disabled. eve is in no project.
const APOLLO: Record<string, 'owner' | 'editor' | 'viewer'> = { bob: 'editor', cat: 'viewer', fay: 'viewer', dis: 'editor' }
const USERNAME: Partial<Record<Who, string>> = { owner: 'ann', editor: 'bob', viewer: 'cat', outsider: 'eve', admin: 'root', 'lacking scope': 'ann', 'disabled user': 'dis' }

/** What one try needs: requests made as a given user, and that user's token. */
interface Context {
  as: (username: string, request: InjectOptions) => Promise<{ statusCode: number, json: () => any }>
  /** The caller's own username (the local user's with AUTH=off and no token). */
  me: string
}

interface Operation {
  name: string
  /** The scope the operation needs; undefined: any signed-in user; 'public': nobody. */
  scope: Scope | 'public' | undefined
  /** Makes the fixtures, and answers the request the caller sends. */
  request: (context: Context) => Promise<InjectOptions>
  /** The status for each caller with AUTH=on; callers left out answer as `others` says. */
  expected: Partial<Record<Who, number>> & { others: number }
}

const json = (method: InjectOptions['method'], url: string, payload?: unknown): InjectOptions => ({ method, url, ...(payload === undefined ? {} : { payload: payload as InjectOptions['payload'] }) })

async function apolloTask (context: Context, fields: Record<string, unknown> = {}): Promise<number> {
  return (await context.as('ann', json('POST', '/tasks', { title: 'In apollo', project: 'apollo', ...fields }))).json().id
}

/** An upload of one small file to the task, as a client's form sends it. */
async function upload (taskId: number): Promise<InjectOptions> {
  const { payload, headers } = await multipartBody([{ filename: 'notes.txt', content: 'meeting notes', type: 'text/plain' }])
  return { method: 'POST', url: `/tasks/${taskId}/attachments`, headers, payload }
}

/** A file ann attached to a new task of apollo: its id. */
async function apolloAttachment (context: Context): Promise<number> {
  return (await context.as('ann', await upload(await apolloTask(context)))).json().items[0].id
}

/** A picture to set as one's own: a 1×1 PNG. */
async function pictureUpload (): Promise<InjectOptions> {
  const { payload, headers } = await multipartBody([{ field: 'avatar', filename: 'me.png', content: Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64'), type: 'image/png' }])
  return { method: 'PUT', url: '/users/me/avatar', headers, payload }
}

/** An email job the worker skipped (there is no SMTP_URL): its id. */
async function skippedJob (context: Context): Promise<number> {
  await context.as('ann', json('POST', `/tasks/${await apolloTask(context, { notify_email: 'watcher@example.com' })}/complete`))
  for (;;) {
    // The newest email job (apollo's webhooks add jobs of their own).
    const job = (await context.as('root', json('GET', '/admin/jobs?limit=100'))).json().items.find(({ kind }: { kind: string }) => kind === 'email')
    if (job.state === 'skipped') return job.id
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

// Where the webhooks of the matrix send their events: a receiver that takes them all.
let receiverUrl = ''

/** Deletes apollo's webhooks, so that a try never meets the limit of a project's webhooks. */
async function clearApolloWebhooks (context: Context): Promise<void> {
  for (const { id } of (await context.as('root', json('GET', '/webhooks?project=apollo&limit=100'))).json().items) await context.as('root', json('DELETE', `/webhooks/${id}`))
}

/** A webhook of apollo that ann (its owner) made, the only one: its id. */
async function apolloWebhook (context: Context): Promise<number> {
  await clearApolloWebhooks(context)
  return (await context.as('ann', json('POST', '/webhooks', { url: receiverUrl, events: ['task.created'], project: 'apollo' }))).json().id
}

/** A delivery of apollo's webhook: its webhook's id and its own. */
async function apolloDelivery (context: Context): Promise<[number, number]> {
  const webhook = await apolloWebhook(context)
  await apolloTask(context)
  const [delivery] = (await context.as('ann', json('GET', `/webhooks/${webhook}/deliveries`))).json().items
  return [webhook, delivery.id]
}

// Webhooks are managed by their project's owners and by administrators; to anyone else they are not there.
const MANAGED_BY_OWNERS = { others: 404, owner: 200, admin: 200, anonymous: 200 }

const OPERATIONS: Operation[] = [
  { name: 'listTasks of apollo', scope: 'tasks:read', request: async () => json('GET', '/tasks?project=apollo'), expected: { others: 200, outsider: 422 } },
  { name: 'listTasks of apollo, overdue, by due time', scope: 'tasks:read', request: async () => json('GET', '/tasks?project=apollo&overdue=true&sort_by=due_at'), expected: { others: 200, outsider: 422 } },
  { name: 'getTask in apollo', scope: 'tasks:read', request: async (c) => json('GET', `/tasks/${await apolloTask(c)}`), expected: { others: 200, outsider: 404 } },
  { name: 'getTaskWeather in apollo', scope: 'tasks:read', request: async (c) => json('GET', `/tasks/${await apolloTask(c, { location: { latitude: 28.6, longitude: -80.6 } })}/weather`), expected: { others: 200, outsider: 404 } },
  { name: 'getWeather', scope: 'tasks:read', request: async () => json('GET', '/weather?latitude=28.6&longitude=-80.6'), expected: { others: 200 } },
  { name: 'listTasksV1 of apollo', scope: 'tasks:read', request: async () => json('GET', '/v1/tasks?project=apollo'), expected: { others: 200, outsider: 422 } },
  { name: 'getTask in apollo, through v1', scope: 'tasks:read', request: async (c) => json('GET', `/v1/tasks/${await apolloTask(c)}`), expected: { others: 200, outsider: 404 } },
  { name: 'updateTask in apollo, through v2', scope: 'tasks:write', request: async (c) => json('PATCH', `/v2/tasks/${await apolloTask(c)}`, { status: 'done' }), expected: { others: 200, viewer: 403, outsider: 404 } },
  {
    name: 'getTask of ann\'s own',
    scope: 'tasks:read',
    request: async (c) => json('GET', `/tasks/${(await c.as('ann', json('POST', '/tasks', { title: 'Ann\'s own' }))).json().id}`),
    expected: { others: 404, owner: 200, admin: 200, anonymous: 200 }
  },
  { name: 'createTask in apollo', scope: 'tasks:write', request: async () => json('POST', '/tasks', { title: 'New', project: 'apollo' }), expected: { others: 201, viewer: 403, outsider: 422 } },
  { name: 'createTask of one\'s own', scope: 'tasks:write', request: async () => json('POST', '/tasks', { title: 'Mine' }), expected: { others: 201 } },
  { name: 'updateTask in apollo', scope: 'tasks:write', request: async (c) => json('PATCH', `/tasks/${await apolloTask(c)}`, { status: 'done' }), expected: { others: 200, viewer: 403, outsider: 404 } },
  {
    name: 'updateTask in apollo: its due time and place',
    scope: 'tasks:write',
    request: async (c) => json('PATCH', `/tasks/${await apolloTask(c, { due_at: '2001-01-01T00:00:00Z' })}`, { due_at: null, location: { name: 'Pad 39A', latitude: 28.6083, longitude: -80.6041 } }),
    expected: { others: 200, viewer: 403, outsider: 404 }
  },
  { name: 'replaceTask in apollo', scope: 'tasks:write', request: async (c) => json('PUT', `/tasks/${await apolloTask(c)}`, { title: 'Replaced', project: 'apollo' }), expected: { others: 200, viewer: 403, outsider: 404 } },
  { name: 'completeTask in apollo', scope: 'tasks:write', request: async (c) => json('POST', `/tasks/${await apolloTask(c)}/complete`), expected: { others: 200, viewer: 403, outsider: 404 } },
  { name: 'deleteTask in apollo', scope: 'tasks:write', request: async (c) => json('DELETE', `/tasks/${await apolloTask(c)}`), expected: { others: 204, viewer: 403, outsider: 404 } },
  {
    name: 'restoreTask in apollo',
    scope: 'tasks:write',
    request: async (c) => {
      const id = await apolloTask(c)
      await c.as('ann', json('DELETE', `/tasks/${id}`))
      return json('POST', `/tasks/${id}/restore`)
    },
    expected: { others: 200, viewer: 403, outsider: 404 }
  },
  {
    name: 'moving a task from apollo into zeus (bob owns zeus)',
    scope: 'tasks:write',
    request: async (c) => json('PATCH', `/tasks/${await apolloTask(c)}`, { project: 'zeus' }),
    expected: { others: 422, editor: 200, viewer: 403, outsider: 404, admin: 200, anonymous: 200 }
  },
  { name: 'createComment in apollo', scope: 'tasks:write', request: async (c) => json('POST', `/tasks/${await apolloTask(c)}/comments`, { body: 'A comment' }), expected: { others: 201, viewer: 403, outsider: 404 } },
  {
    name: 'createComment on ann\'s own',
    scope: 'tasks:write',
    request: async (c) => json('POST', `/tasks/${(await c.as('ann', json('POST', '/tasks', { title: 'Ann\'s own' }))).json().id}/comments`, { body: 'A comment' }),
    expected: { others: 404, owner: 201, admin: 201, anonymous: 201 }
  },
  { name: 'listComments in apollo', scope: 'tasks:read', request: async (c) => json('GET', `/tasks/${await apolloTask(c)}/comments`), expected: { others: 200, outsider: 404 } },
  { name: 'createAttachments in apollo', scope: 'tasks:write', request: async (c) => upload(await apolloTask(c)), expected: { others: 201, viewer: 403, outsider: 404 } },
  {
    name: 'createAttachments on ann\'s own',
    scope: 'tasks:write',
    request: async (c) => upload((await c.as('ann', json('POST', '/tasks', { title: 'Ann\'s own' }))).json().id),
    expected: { others: 404, owner: 201, admin: 201, anonymous: 201 }
  },
  {
    name: 'listAttachments in apollo',
    scope: 'tasks:read',
    request: async (c) => {
      const id = await apolloTask(c)
      await c.as('ann', await upload(id))
      return json('GET', `/tasks/${id}/attachments`)
    },
    expected: { others: 200, outsider: 404 }
  },
  { name: 'getAttachment in apollo', scope: 'tasks:read', request: async (c) => json('GET', `/attachments/${await apolloAttachment(c)}`), expected: { others: 200, outsider: 404 } },
  { name: 'downloadAttachment in apollo', scope: 'tasks:read', request: async (c) => json('GET', `/attachments/${await apolloAttachment(c)}/content`), expected: { others: 200, outsider: 404 } },
  { name: 'deleteAttachment in apollo', scope: 'tasks:write', request: async (c) => json('DELETE', `/attachments/${await apolloAttachment(c)}`), expected: { others: 204, viewer: 403, outsider: 404 } },
  // The WebSocket's own tests open it (test/routes/ws); here, who gets past its upgrade's check.
  { name: 'openSocket without the upgrade', scope: 'tasks:read', request: async () => json('GET', '/ws'), expected: { others: 426 } },
  { name: 'createSocketTicket', scope: 'tasks:read', request: async () => json('POST', '/ws/tickets'), expected: { others: 201 } },
  {
    name: 'createWebhook of apollo',
    scope: 'projects:write',
    request: async (c) => {
      await clearApolloWebhooks(c)
      return json('POST', '/webhooks', { url: receiverUrl, events: ['task.created'], project: 'apollo' })
    },
    expected: { others: 403, owner: 201, outsider: 422, admin: 201, anonymous: 201 }
  },
  {
    name: 'createWebhook of every task',
    scope: 'projects:write',
    request: async () => json('POST', '/webhooks', { url: receiverUrl, events: ['task.created'] }),
    expected: { others: 403, admin: 201, anonymous: 201 }
  },
  { name: 'listWebhooks', scope: 'projects:read', request: async () => json('GET', '/webhooks'), expected: { others: 200 } },
  { name: 'getWebhook of apollo', scope: 'projects:read', request: async (c) => json('GET', `/webhooks/${await apolloWebhook(c)}`), expected: MANAGED_BY_OWNERS },
  { name: 'updateWebhook of apollo', scope: 'projects:write', request: async (c) => json('PATCH', `/webhooks/${await apolloWebhook(c)}`, { events: ['task.updated'] }), expected: MANAGED_BY_OWNERS },
  { name: 'rotateWebhookSecret of apollo', scope: 'projects:write', request: async (c) => json('POST', `/webhooks/${await apolloWebhook(c)}/rotate-secret`), expected: MANAGED_BY_OWNERS },
  { name: 'listWebhookDeliveries of apollo', scope: 'projects:read', request: async (c) => json('GET', `/webhooks/${await apolloWebhook(c)}/deliveries`), expected: MANAGED_BY_OWNERS },
  {
    name: 'redeliverWebhookDelivery of apollo',
    scope: 'projects:write',
    request: async (c) => {
      const [webhook, delivery] = await apolloDelivery(c)
      return json('POST', `/webhooks/${webhook}/deliveries/${delivery}/redeliver`)
    },
    expected: { others: 404, owner: 202, admin: 202, anonymous: 202 }
  },
  { name: 'deleteWebhook of apollo', scope: 'projects:write', request: async (c) => json('DELETE', `/webhooks/${await apolloWebhook(c)}`), expected: { others: 404, owner: 204, admin: 204, anonymous: 204 } },
  { name: 'listProjects', scope: 'projects:read', request: async () => json('GET', '/projects'), expected: { others: 200 } },
  { name: 'createProject', scope: 'projects:write', request: async () => json('POST', '/projects', { name: 'Another project' }), expected: { others: 201 } },
  { name: 'getProject apollo', scope: 'projects:read', request: async () => json('GET', '/projects/apollo'), expected: { others: 200, outsider: 404 } },
  { name: 'getProject by its old slug', scope: 'projects:read', request: async () => json('GET', '/projects/apollo-old'), expected: { others: 308, outsider: 404 } },
  { name: 'updateProject apollo', scope: 'projects:write', request: async () => json('PATCH', '/projects/apollo', { description: 'Changed' }), expected: { others: 403, owner: 200, outsider: 404, admin: 200, anonymous: 200 } },
  {
    name: 'deleteProject (an empty one with apollo\'s members)',
    scope: 'projects:write',
    request: async (c) => {
      const slug = (await c.as('ann', json('POST', '/projects', { name: 'Empty' }))).json().slug
      for (const [username, role] of Object.entries(APOLLO)) await c.as('ann', json('PUT', `/projects/${slug}/members/${username}`, { role }))
      return json('DELETE', `/projects/${slug}`)
    },
    expected: { others: 403, owner: 204, outsider: 404, admin: 204, anonymous: 204 }
  },
  { name: 'listProjectMembers of apollo', scope: 'projects:read', request: async () => json('GET', '/projects/apollo/members'), expected: { others: 200, outsider: 404 } },
  {
    name: 'putProjectMember (add a new user)',
    scope: 'projects:write',
    request: async () => json('PUT', `/projects/apollo/members/${await newcomer()}`, { role: 'viewer' }),
    expected: { others: 403, owner: 201, outsider: 404, admin: 201, anonymous: 201 }
  },
  {
    name: 'deleteProjectMember (remove fay)',
    scope: 'projects:write',
    request: async (c) => {
      await c.as('ann', json('PUT', '/projects/apollo/members/fay', { role: 'viewer' }))
      return json('DELETE', '/projects/apollo/members/fay')
    },
    expected: { others: 403, owner: 204, outsider: 404, admin: 204, anonymous: 204 }
  },
  {
    name: 'deleteProjectMember (leave)',
    scope: 'projects:write',
    request: async (c) => {
      if (c.me !== 'ann' && c.me !== 'local' && c.me !== 'root') await c.as('ann', json('PUT', `/projects/apollo/members/${c.me}`, { role: APOLLO[c.me] ?? 'viewer' }))
      return json('DELETE', `/projects/apollo/members/${c.me}`)
    },
    // The owner is the last one; the admin and the local user are no members.
    expected: { others: 204, owner: 409, admin: 404, anonymous: 404 }
  },
  { name: 'createUser', scope: 'users:admin', request: async () => json('POST', '/users', { username: await newcomerName(), email: `${await newcomerName()}@example.com`, password: 'a good password' }), expected: { others: 403, admin: 201, anonymous: 201 } },
  { name: 'getMe', scope: undefined, request: async () => json('GET', '/users/me'), expected: { others: 200 } },
  { name: 'updateMe', scope: undefined, request: async () => json('PATCH', '/users/me', { display_name: 'Renamed' }), expected: { others: 200 } },
  { name: 'getProfile of ann', scope: undefined, request: async () => json('GET', '/users/ann'), expected: { others: 200 } },
  { name: 'putAvatar', scope: undefined, request: async () => pictureUpload(), expected: { others: 200 } },
  { name: 'deleteAvatar', scope: undefined, request: async () => json('DELETE', '/users/me/avatar'), expected: { others: 204 } },
  {
    name: 'getAvatar of ann',
    scope: undefined,
    request: async (c) => {
      await c.as('ann', await pictureUpload())
      return json('GET', '/users/ann/avatar')
    },
    expected: { others: 200 }
  },
  { name: 'createPersonalToken', scope: undefined, request: async () => json('POST', '/users/me/tokens', { name: 'script', scopes: ['projects:read'] }), expected: { others: 201 } },
  { name: 'listPersonalTokens', scope: undefined, request: async () => json('GET', '/users/me/tokens'), expected: { others: 200 } },
  {
    name: 'deletePersonalToken (one\'s own)',
    scope: undefined,
    request: async (c) => json('DELETE', `/users/me/tokens/${(await c.as(c.me, json('POST', '/users/me/tokens', { name: 'old', scopes: ['projects:read'] }))).json().id}`),
    expected: { others: 204 }
  },
  {
    name: 'deletePersonalToken (ann\'s)',
    scope: undefined,
    request: async (c) => json('DELETE', `/users/me/tokens/${(await c.as('ann', json('POST', '/users/me/tokens', { name: 'hers', scopes: ['projects:read'] }))).json().id}`),
    expected: { others: 404, owner: 204, 'lacking scope': 204 }
  },
  { name: 'listJobs', scope: 'users:admin', request: async () => json('GET', '/admin/jobs?state=skipped'), expected: { others: 403, admin: 200, anonymous: 200 } },
  { name: 'getJob', scope: 'users:admin', request: async (c) => json('GET', `/admin/jobs/${await skippedJob(c)}`), expected: { others: 403, admin: 200, anonymous: 200 } },
  { name: 'retryJob', scope: 'users:admin', request: async (c) => json('POST', `/admin/jobs/${await skippedJob(c)}/retry`), expected: { others: 403, admin: 200, anonymous: 200 } },
  { name: 'listUsers', scope: 'users:admin', request: async () => json('GET', '/admin/users'), expected: { others: 403, admin: 200, anonymous: 200 } },
  { name: 'getUser eve', scope: 'users:admin', request: async () => json('GET', '/admin/users/eve'), expected: { others: 403, admin: 200, anonymous: 200 } },
  { name: 'updateUser (promote a newcomer)', scope: 'users:admin', request: async () => json('PATCH', `/admin/users/${await newcomer()}`, { role: 'admin' }), expected: { others: 403, admin: 200, anonymous: 200 } },
  {
    name: 'issueToken (signing in is public)',
    scope: 'public',
    request: async () => ({ method: 'POST', url: '/auth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'grant_type=password&username=eve&password=eve+password' }),
    expected: { others: 200 }
  },
  { name: 'getHealth', scope: 'public', request: async () => json('GET', '/health'), expected: { others: 200 } }
]

// Users made for one try: each needs a fresh name.
let newcomers = 0
let makeUser: (username: string) => Promise<void> = async () => {}
async function newcomerName (): Promise<string> {
  return `newcomer-${++newcomers}`
}
async function newcomer (): Promise<string> {
  const username = await newcomerName()
  await makeUser(username)
  return username
}

/** The status an operation must answer `who` with, in `mode`. */
function expectedStatus (operation: Operation, who: Who, mode: 'on' | 'off'): number {
  if (operation.scope === 'public') return operation.expected.others
  if (who === 'expired token' || who === 'disabled user') return 401
  // With AUTH=off a request without a token is the local administrator.
  if (who === 'anonymous') return mode === 'on' ? 401 : operation.expected.anonymous ?? operation.expected.admin ?? operation.expected.others
  if (who === 'lacking scope' && operation.scope !== undefined) return 403
  return operation.expected[who] ?? operation.expected.others
}

async function world (t: Test, mode: 'on' | 'off') {
  receiverUrl = (await startReceiver(t)).url
  const weather = await startFakeOpenMeteo()
  t.teardown(() => weather.close())
  const app = await build(t, { AUTH: mode, JWT_SECRET, LOGIN_MAX_FAILURES_PER_IP: '1000000', WEBHOOK_ALLOW_PRIVATE: 'true', WEATHER_API_URL: weather.url })
  const rootToken = await administratorToken(app)
  makeUser = async (username) => { await createUser(app, username, {}, rootToken) }
  const tokens = new Map<string, string>([['root', rootToken]])
  for (const username of ['ann', 'bob', 'cat', 'eve', 'fay', 'dis']) {
    await createUser(app, username, {}, rootToken)
    tokens.set(username, (await signIn(app, username)).access_token)
  }
  const as = async (username: string, request: InjectOptions) => {
    const token = tokens.get(username)
    return app.inject({ ...request, headers: { ...request.headers, ...(token === undefined ? {} : bearer(token)) } })
  }
  const bob = tokens.get('bob') as string
  await app.inject({ method: 'POST', url: '/projects', headers: bearer(bob), payload: { name: 'Zeus', slug: 'zeus' } })
  await as('ann', json('POST', '/projects', { name: 'Apollo', slug: 'apollo-old' }))
  await as('ann', json('PATCH', '/projects/apollo-old', { slug: 'apollo' }))
  for (const [username, role] of Object.entries(APOLLO)) await as('ann', json('PUT', `/projects/apollo/members/${username}`, { role }))
  // dis signed in while enabled; then an administrator disabled dis.
  await as('root', json('PATCH', '/admin/users/dis', { disabled: true }))
  const ann = await app.db.users.findByUsername('ann')
  const now = Math.floor(Date.now() / 1000)
  const callerToken = (who: Who, operation: Operation): string | undefined => {
    if (who === 'anonymous') return undefined
    if (who === 'expired token') {
      return craftJwt(JWT_SECRET, { sub: String(ann?.id), scope: SCOPE_NAMES.join(' '), gen: 1, iss: 'task-api', aud: 'task-api', iat: now - 3600, exp: now - 60 })
    }
    if (who === 'lacking scope') {
      // ann's token without the scope the operation needs (or with one scope only, for those that need none).
      const scopes = operation.scope === undefined ? ['projects:read'] : SCOPE_NAMES.filter((scope) => scope !== operation.scope && scope !== 'users:admin')
      return craftJwt(JWT_SECRET, { sub: String(ann?.id), scope: scopes.join(' '), gen: 1, iss: 'task-api', aud: 'task-api', iat: now, exp: now + 600 })
    }
    return tokens.get(USERNAME[who] as string)
  }
  return { app, as, callerToken }
}

for (const mode of ['on', 'off'] as const) {
  t.test(`AUTH=${mode}: every operation answers every kind of caller as the access rules say`, async (t) => {
    const { app, as, callerToken } = await world(t, mode)
    const wrong: string[] = []
    let tries = 0
    for (const operation of OPERATIONS) {
      for (const who of CALLERS) {
        const me = who === 'anonymous' ? 'local' : USERNAME[who] ?? 'ann'
        const request = await operation.request({ as, me })
        const token = callerToken(who, operation)
        const response = await app.inject({ ...request, headers: { ...request.headers, ...(token === undefined ? {} : bearer(token)) } })
        tries++
        const expected = expectedStatus(operation, who, mode)
        if (response.statusCode !== expected) wrong.push(`${operation.name} by ${who}: ${response.statusCode} ${response.body.slice(0, 160)}, expected ${expected}`)
        if (response.statusCode === 401 && !String(response.headers['www-authenticate']).startsWith('Bearer realm="task-api"')) wrong.push(`${operation.name} by ${who}: 401 without WWW-Authenticate`)
        if (response.statusCode === 403 && response.json().type.endsWith('/insufficient-scope') && !String(response.headers['www-authenticate']).includes(`scope="${operation.scope}"`)) {
          wrong.push(`${operation.name} by ${who}: 403 insufficient-scope without the scope in WWW-Authenticate`)
        }
      }
    }
    t.same(wrong, [], `${tries} tries: each caller got what the matrix says`)
  })
}
