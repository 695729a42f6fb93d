import { join } from 'node:path'
import t, { type Test } from 'tap'
import { WebSocket } from 'ws'
import { administratorToken, bearer, build, createUser, signIn, startServer, temporaryDirectory } from '../../helper.js'
import { ON_POSTGRES, postgresTestUrl } from '../../postgres.js'
import { LOCAL_PRINCIPAL } from '../../../src/auth/principal.js'
import { SLOW_CONSUMER_GRACE_MS } from '../../../src/live/feed-socket.js'
import type { SqliteDatabase } from '../../../src/db/sqlite/sqlite-database.js'

type App = Awaited<ReturnType<typeof build>>

/** The app listening on a port of this machine, as a real client reaches it (not turned away while the test loader compiles). */
async function listening (t: Test, env: Record<string, string> = {}): Promise<{ app: App, url: string }> {
  const app = await build(t, { MAX_EVENT_LOOP_DELAY_MS: '0', ...env })
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  return { app, url: address.replace('http', 'ws') }
}

interface Client {
  socket: WebSocket
  /** Every message received, in order. */
  received: any[]
  /** The next message received (after those already taken) that passes `test`, waiting for it. */
  next: (test?: (message: any) => boolean) => Promise<any>
  send: (message: unknown) => void
  closed: Promise<{ code: number, reason: string }>
}

/** A real WebSocket client (the `ws` package) on GET /ws, which has got `ready`; closed when the test ends. */
async function connect (t: Test, url: string, { token, ticket, protocols = ['task-api'] }: { token?: string, ticket?: string, protocols?: string[] } = {}): Promise<Client> {
  const socket = new WebSocket(`${url}/ws${ticket === undefined ? '' : `?ticket=${ticket}`}`, token === undefined ? protocols : [...protocols, `bearer.${token}`])
  const received: any[] = []
  let taken = 0
  const waiting = new Set<() => void>()
  socket.on('message', (data) => {
    received.push(JSON.parse(data.toString()))
    for (const wake of waiting) wake()
  })
  const closed = new Promise<{ code: number, reason: string }>((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })))
  await new Promise((resolve, reject) => {
    socket.once('open', resolve)
    socket.once('error', reject)
  })
  t.teardown(() => socket.terminate())
  const client: Client = {
    socket,
    received,
    closed,
    send: (message) => socket.send(typeof message === 'string' ? message : JSON.stringify(message)),
    next: async (test = () => true) => {
      for (;;) {
        while (taken < received.length) {
          const message = received[taken++]
          if (test(message)) return message
        }
        await new Promise<void>((resolve) => {
          const wake = () => {
            waiting.delete(wake)
            resolve()
          }
          waiting.add(wake)
        })
      }
    }
  }
  const ready = await client.next()
  t.equal(ready.type, 'ready')
  return client
}

/** The status of an upgrade the server refused. */
async function refusedUpgrade (url: string, protocols: string[] = ['task-api'], headers: Record<string, string> = {}): Promise<{ status: number, body: any }> {
  const socket = new WebSocket(`${url}/ws`, protocols, { headers })
  return await new Promise((resolve, reject) => {
    socket.on('open', () => reject(new Error('the upgrade was accepted')))
    socket.on('unexpected-response', (_request, response) => {
      let body = ''
      response.on('data', (chunk: Buffer) => { body += chunk.toString() })
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: body === '' ? undefined : JSON.parse(body) }))
    })
  })
}

const pause = async (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const isEvent = (message: any) => typeof message.id === 'number' && typeof message.timestamp === 'string'

/** AUTH=on, with ann owning project apollo, bob a member (editor) of it, eve an outsider: their access tokens. */
async function team (app: App) {
  const root = await administratorToken(app)
  for (const username of ['ann', 'bob', 'eve']) await createUser(app, username, {}, root)
  const tokens = {
    root,
    ann: (await signIn(app, 'ann')).access_token,
    bob: (await signIn(app, 'bob')).access_token,
    eve: (await signIn(app, 'eve')).access_token
  }
  await app.inject({ method: 'POST', url: '/projects', headers: bearer(tokens.ann), payload: { name: 'Apollo', slug: 'apollo' } })
  await app.inject({ method: 'PUT', url: '/projects/apollo/members/bob', headers: bearer(tokens.ann), payload: { role: 'editor' } })
  return tokens
}

t.test('two clients in a room: presence, task events with ids, comments to the others but not back to the sender', async (t) => {
  const { app, url } = await listening(t, { AUTH: 'on' })
  const tokens = await team(app)
  const ann = await connect(t, url, { token: tokens.ann })
  t.equal(ann.socket.protocol, 'task-api', 'the feed\'s subprotocol is chosen; the token is never echoed')
  ann.send({ type: 'subscribe', project: 'apollo', ref: 'a1' })
  t.match(await ann.next(), { type: 'subscribed', project: 'apollo', present: ['ann'], ref: 'a1' })

  const bob = await connect(t, url, { token: tokens.bob })
  bob.send({ type: 'subscribe', project: 'apollo' })
  t.match(await bob.next(), { type: 'subscribed', project: 'apollo', present: ['ann', 'bob'] })
  t.same(await ann.next(), { type: 'presence.joined', project: 'apollo', user: 'bob' }, 'ann hears bob join')

  const task = (await app.inject({ method: 'POST', url: '/tasks', headers: bearer(tokens.ann), payload: { title: 'Live', project: 'apollo' } })).json()
  await app.inject({ method: 'POST', url: '/tasks', headers: bearer(tokens.ann), payload: { title: 'Not in a room' } })
  const seenByAnn = await ann.next(isEvent)
  const seenByBob = await bob.next(isEvent)
  t.match(seenByAnn, { type: 'task.created', data: task })
  t.same(seenByBob, seenByAnn, 'both get the same event')

  ann.send({ type: 'comment', task_id: task.id, body: '  Looks good  ', ref: 'c1' })
  const ack = await ann.next()
  t.match(ack, { type: 'comment.ack', ref: 'c1', comment: { task_id: task.id, body: 'Looks good', author: 'ann' } })
  const comment = await bob.next(isEvent)
  t.match(comment, { id: ack.id, type: 'comment.created', data: ack.comment }, 'bob gets the comment, with the id the sender was acknowledged with')
  const listed = (await app.inject({ method: 'GET', url: `/tasks/${task.id}/comments`, headers: bearer(tokens.bob) })).json()
  t.same(listed.items, [ack.comment], 'the comment is stored')

  await app.inject({ method: 'PATCH', url: `/tasks/${task.id}`, headers: bearer(tokens.bob), payload: { priority: 5 } })
  t.match(await ann.next(), { type: 'task.updated', data: { priority: 5 } }, 'the sender is not echoed its comment: the next thing ann gets is the update')
  t.match(await bob.next(isEvent), { type: 'task.updated' })

  bob.socket.close()
  t.same(await ann.next(), { type: 'presence.left', project: 'apollo', user: 'bob' }, 'ann hears bob leave')
  ann.send({ type: 'unsubscribe', project: 'apollo', ref: 'u1' })
  t.same(await ann.next(), { type: 'unsubscribed', project: 'apollo', ref: 'u1' })
})

t.test('a second socket of the same user is not news; a lost client (no pong) leaves the room within two ping intervals', async (t) => {
  const { app, url } = await listening(t, { AUTH: 'on', WS_PING_INTERVAL_MS: '100' })
  const tokens = await team(app)
  const ann = await connect(t, url, { token: tokens.ann })
  ann.send({ type: 'subscribe', project: 'apollo' })
  await ann.next()
  const bob = await connect(t, url, { token: tokens.bob })
  bob.send({ type: 'subscribe', project: 'apollo' })
  await bob.next()
  t.match(await ann.next(), { type: 'presence.joined', user: 'bob' })
  const secondTab = await connect(t, url, { token: tokens.bob })
  secondTab.send({ type: 'subscribe', project: 'apollo' })
  t.match(await secondTab.next(), { present: ['ann', 'bob'] })
  secondTab.socket.close()
  // bob's network goes: his socket stops reading, so it answers no ping.
  const started = Date.now()
  ;(bob.socket as unknown as { _socket: { pause: () => void } })._socket.pause()
  t.match(await ann.next(), { type: 'presence.left', user: 'bob' }, 'left once, when his last socket went')
  t.ok(Date.now() - started < 2000, 'noticed within the ping intervals')
  t.equal(ann.received.filter(({ type }) => type === 'presence.joined' || type === 'presence.left').length, 2, 'the second tab came and went unannounced')
})

t.test('resume: after a disconnect (and a restart), every missed event exactly once, in order', async (t) => {
  const database = { DATABASE_URL: ON_POSTGRES ? await postgresTestUrl(t) : join(temporaryDirectory(t), 'tasks.db') }
  const first = await listening(t, database)
  await first.app.inject({ method: 'POST', url: '/projects', payload: { name: 'Apollo', slug: 'apollo' } })
  const client = await connect(t, first.url)
  client.send({ type: 'subscribe', project: 'apollo' })
  await client.next()
  const task = (await first.app.inject({ method: 'POST', url: '/tasks', payload: { title: 'One', project: 'apollo' } })).json()
  const seen = await client.next(isEvent)
  client.socket.close()
  await first.app.inject({ method: 'PATCH', url: `/tasks/${task.id}`, payload: { title: 'Two' } })
  await first.app.inject({ method: 'PATCH', url: `/tasks/${task.id}`, payload: { title: 'Three' } })
  await first.app.close()

  const second = await listening(t, database)
  const back = await connect(t, second.url)
  back.send({ type: 'subscribe', project: 'apollo' })
  await back.next()
  back.send({ type: 'resume', after: seen.id, ref: 'r' })
  t.same(await back.next(), { type: 'resumed', after: seen.id, ref: 'r' })
  await second.app.inject({ method: 'PATCH', url: `/tasks/${task.id}`, payload: { title: 'Four' } })
  const titles = [(await back.next(isEvent)).data.title, (await back.next(isEvent)).data.title, (await back.next(isEvent)).data.title]
  t.same(titles, ['Two', 'Three', 'Four'], 'the missed ones, then live')
  await pause(100)
  t.equal(back.received.filter(isEvent).length, 3, 'nothing doubled')
})

t.test('presence spans the instances sharing a database; the users of an instance that dies are told left', async (t) => {
  const shared = {
    DATABASE_URL: ON_POSTGRES ? await postgresTestUrl(t) : join(temporaryDirectory(t), 'tasks.db'),
    AUTH: 'on',
    JWT_SECRET: 'one secret for every instance, at least 32 characters',
    WS_PING_INTERVAL_MS: '100'
  }
  const one = await listening(t, shared)
  const other = await listening(t, shared)
  const tokens = await team(one.app)
  const ann = await connect(t, one.url, { token: tokens.ann })
  ann.send({ type: 'subscribe', project: 'apollo' })
  t.match(await ann.next(), { type: 'subscribed', present: ['ann'] })
  const bob = await connect(t, other.url, { token: tokens.bob })
  bob.send({ type: 'subscribe', project: 'apollo' })
  t.match(await bob.next(), { type: 'subscribed', present: ['ann', 'bob'] }, 'bob, on the other instance, finds ann there')
  t.same(await ann.next(), { type: 'presence.joined', project: 'apollo', user: 'bob' }, 'and ann hears him come')
  const bobHere = await connect(t, one.url, { token: tokens.bob })
  bobHere.send({ type: 'subscribe', project: 'apollo' })
  await bobHere.next()
  bob.socket.close()
  await pause(500)
  t.equal(ann.received.filter(({ type }) => type.startsWith('presence.')).length, 1, 'bob with a socket on each instance, then one: no news')
  bobHere.socket.close()
  t.same(await ann.next(), { type: 'presence.left', project: 'apollo', user: 'bob' }, 'his last socket gone, he has left')

  // An instance of its own process, killed: nobody gives its seats up, they expire.
  const dying = await startServer(t, shared)
  const annOnDying = await connect(t, dying.url, { token: tokens.ann })
  annOnDying.send({ type: 'subscribe', project: 'apollo' })
  await annOnDying.next()
  const bobOnDying = await connect(t, dying.url, { token: tokens.bob })
  bobOnDying.send({ type: 'subscribe', project: 'apollo' })
  t.match(await bobOnDying.next(), { type: 'subscribed', present: ['ann', 'bob'] })
  t.same(await ann.next(), { type: 'presence.joined', project: 'apollo', user: 'bob' })
  dying.process.kill('SIGKILL')
  const killed = Date.now()
  t.same(await ann.next(), { type: 'presence.left', project: 'apollo', user: 'bob' }, 'bob is left once his seat expires')
  t.ok(Date.now() - killed < 3000, 'within a few ping intervals')
  await pause(300)
  t.equal(ann.received.filter(({ type, user }) => type === 'presence.left' && user === 'ann').length, 0, 'ann, there on another instance too, is not left')
})

t.test('events reach a socket on another instance sharing the database', async (t) => {
  const database = { DATABASE_URL: ON_POSTGRES ? await postgresTestUrl(t) : join(temporaryDirectory(t), 'tasks.db'), EVENT_POLL_INTERVAL_MS: '50' }
  const one = await listening(t, database)
  const other = await listening(t, database)
  await one.app.inject({ method: 'POST', url: '/projects', payload: { name: 'Apollo', slug: 'apollo' } })
  const client = await connect(t, other.url)
  client.send({ type: 'subscribe', project: 'apollo' })
  await client.next()
  const task = (await one.app.inject({ method: 'POST', url: '/tasks', payload: { title: 'From the other', project: 'apollo' } })).json()
  t.match(await client.next(isEvent), { type: 'task.created', data: task })
})

t.test('authentication at the upgrade: bearer subprotocol, Authorization, or a one-time ticket; nothing else', async (t) => {
  const { app, url } = await listening(t, { AUTH: 'on' })
  const tokens = await team(app)
  t.match(await refusedUpgrade(url), { status: 401, body: { type: /authentication-required$/ } }, 'no credential')
  t.match(await refusedUpgrade(url, ['task-api', 'bearer.not-a-token']), { status: 401, body: { type: /invalid-token$/ } })
  const readOnly = (await signIn(app, 'eve', { scope: 'projects:read' })).access_token
  t.match(await refusedUpgrade(url, ['task-api', `bearer.${readOnly}`]), { status: 403, body: { type: /insufficient-scope$/ } }, 'the feed needs tasks:read')
  const byHeader = await connect(t, url, { protocols: [] as string[] }).catch((error: Error) => error)
  t.type(byHeader, Error, 'no token and no ticket: refused')

  const ticketResponse = await app.inject({ method: 'POST', url: '/ws/tickets', headers: bearer(tokens.bob) })
  t.equal(ticketResponse.statusCode, 201)
  const { ticket, expires_in: expiresIn } = ticketResponse.json()
  t.equal(expiresIn, 30)
  const byTicket = await connect(t, url, { ticket })
  byTicket.send({ type: 'subscribe', project: 'apollo' })
  t.match(await byTicket.next(), { type: 'subscribed', present: ['bob'] }, 'the ticket is bob')
  const again = new WebSocket(`${url}/ws?ticket=${ticket}`, ['task-api'])
  const status = await new Promise((resolve) => again.on('unexpected-response', (_request, response) => resolve(response.statusCode)))
  t.equal(status, 401, 'a ticket opens one socket')
  t.equal((await app.inject({ method: 'GET', url: '/tasks', headers: bearer(ticket) })).statusCode, 401, 'a ticket is not an access token')
  const plain = await app.inject({ method: 'GET', url: '/ws', headers: bearer(tokens.bob) })
  t.match([plain.statusCode, plain.json().type], [426, /upgrade-required$/], 'a plain GET is told to upgrade')
})

t.test('access is checked at every read and the credential at every ping', async (t) => {
  const { app, url } = await listening(t, { AUTH: 'on', WS_PING_INTERVAL_MS: '100' })
  const tokens = await team(app)
  const eve = await connect(t, url, { token: tokens.eve })
  eve.send({ type: 'subscribe', project: 'apollo', ref: 'e' })
  t.match(await eve.next(), { type: 'error', error: 'project-not-found', ref: 'e' }, 'an outsider cannot join')
  eve.send({ type: 'comment', task_id: 1, body: 'hi' })
  t.match(await eve.next(), { type: 'error', error: 'task-not-found' })

  const bob = await connect(t, url, { token: tokens.bob })
  bob.send({ type: 'subscribe', project: 'apollo' })
  await bob.next()
  await app.inject({ method: 'POST', url: '/tasks', headers: bearer(tokens.ann), payload: { title: 'Before', project: 'apollo' } })
  t.match(await bob.next(isEvent), { data: { title: 'Before' } })
  await app.inject({ method: 'DELETE', url: '/projects/apollo/members/bob', headers: bearer(tokens.ann) })
  await app.inject({ method: 'POST', url: '/tasks', headers: bearer(tokens.ann), payload: { title: 'After', project: 'apollo' } })
  t.same(await bob.next(), { type: 'unsubscribed', project: 'apollo' }, 'removed from the project, he is taken out of its room at the next ping')
  t.equal(bob.received.filter(isEvent).length, 1, 'and got none of its events since')

  const { ticket } = (await app.inject({ method: 'POST', url: '/ws/tickets', headers: bearer(tokens.bob) })).json()
  const bobsTicketed = await connect(t, url, { ticket })
  await app.inject({ method: 'PATCH', url: '/admin/users/bob', headers: bearer(tokens.root), payload: { disabled: true } })
  t.match(await bob.next(), { type: 'error', error: 'invalid-token' })
  t.equal((await bob.closed).code, 1008, 'a disabled user is closed with 1008')
  t.match(await bobsTicketed.next(), { type: 'error', error: 'invalid-token', detail: /disabled/ })
  t.equal((await bobsTicketed.closed).code, 1008, 'so is his socket opened with a ticket')
})

t.test('bad messages: an error first, then the socket is closed (1007 invalid, 1009 too large); never a crash', async (t) => {
  const { url } = await listening(t)
  const invalid = await connect(t, url)
  invalid.send('not json')
  t.match(await invalid.next(), { type: 'error', error: 'invalid-message', detail: 'The message is not JSON.' })
  invalid.send({ type: 'dance', ref: 'x' })
  t.match(await invalid.next(), { type: 'error', error: 'invalid-message', ref: 'x' })
  t.equal((await invalid.closed).code, 1007)

  const fields = await connect(t, url)
  fields.send({ type: 'comment', task_id: 0, body: ' ', extra: true })
  const error = await fields.next()
  t.match(error, { type: 'error', error: 'invalid-message' })
  t.same(error.errors.map(({ pointer }: { pointer: string }) => pointer).sort(), ['#/body', '#/extra', '#/task_id'], 'each wrong field is named')
  fields.socket.send(Buffer.from([1, 2, 3]))
  t.match(await fields.next(), { type: 'error', detail: 'Messages are JSON text, never binary.' })
  t.equal((await fields.closed).code, 1007)

  const large = await connect(t, url)
  large.send({ type: 'resume', after: 0, ref: 'x'.repeat(70_000) })
  t.match(await large.next(), { type: 'error', error: 'message-too-large' })
  large.send({ type: 'subscribe', project: 'y'.repeat(2_000_000) })
  t.equal((await large.closed).code, 1009, 'over 1 MiB the frame itself is refused')

  const survivor = await connect(t, url)
  t.ok(survivor, 'the server still serves')
})

t.test('a client too slow for its feed is closed with 1013, and resumes', async (t) => {
  const { app, url } = await listening(t, { WS_SEND_BUFFER_BYTES: '65536' })
  await app.inject({ method: 'POST', url: '/projects', payload: { name: 'Apollo', slug: 'apollo' } })
  const task = (await app.inject({ method: 'POST', url: '/tasks', payload: { title: 'Talked about', project: 'apollo' } })).json()
  const slow = await connect(t, url)
  slow.send({ type: 'subscribe', project: 'apollo' })
  const { after } = await slow.next()
  // The client stops reading: what the server sends piles up in the kernel's buffers, then in its own.
  const reading = (slow.socket as unknown as { _socket: { pause: () => void, resume: () => void } })._socket
  reading.pause()
  // More than the kernel holds for a socket on this machine (some 4 MB), in comments of 5,000 characters.
  const comments = 1000
  for (let n = 0; n < comments; n++) await app.db.comments.create(LOCAL_PRINCIPAL, task.id, `${n} ${'x'.repeat(4990)}`)
  // Held past the bound, it is given SLOW_CONSUMER_GRACE_MS to catch up, and does not.
  await pause(SLOW_CONSUMER_GRACE_MS + 1000)
  reading.resume()
  t.equal((await slow.closed).code, 1013)
  t.ok(slow.received.filter(isEvent).length < comments, 'it did not get everything')

  const back = await connect(t, url)
  back.send({ type: 'subscribe', project: 'apollo' })
  await back.next()
  back.send({ type: 'resume', after })
  await back.next()
  const bodies = []
  for (let n = 0; n < comments; n++) bodies.push((await back.next(isEvent)).data.body.split(' ')[0])
  t.same(bodies, Array.from({ length: comments }, (_, n) => String(n)), 'resumed, it gets every event it missed, in order')
})

t.test('WS_MAX_CONNECTIONS: one more socket is refused with a 503 problem; closing the server says going away (1001)', async (t) => {
  const { app, url } = await listening(t, { WS_MAX_CONNECTIONS: '1' })
  const only = await connect(t, url)
  const refused = await refusedUpgrade(url)
  t.match(refused, { status: 503, body: { type: /too-many-connections$/ } })
  await app.close()
  t.equal((await only.closed).code, 1001)
})

t.test('a client that does not answer the closing handshake does not hold up the server\'s stop', async (t) => {
  const { app, url } = await listening(t)
  const frozen = await connect(t, url)
  const reading = (frozen.socket as unknown as { _socket: { pause: () => void, resume: () => void } })._socket
  reading.pause()
  const started = Date.now()
  await app.close()
  t.ok(Date.now() - started < 5000, 'cut off after a second, not waited for')
  reading.resume()
  t.not((await frozen.closed).code, 1000)
})

t.test('comments need write access: a project viewer and a token without tasks:write are refused', async (t) => {
  const { app, url } = await listening(t, { AUTH: 'on' })
  const tokens = await team(app)
  await app.inject({ method: 'PUT', url: '/projects/apollo/members/eve', headers: bearer(tokens.ann), payload: { role: 'viewer' } })
  const task = (await app.inject({ method: 'POST', url: '/tasks', headers: bearer(tokens.ann), payload: { title: 'Read only', project: 'apollo' } })).json()
  const eve = await connect(t, url, { token: tokens.eve })
  eve.send({ type: 'comment', task_id: task.id, body: 'Can I?' })
  t.match(await eve.next(), { type: 'error', error: 'forbidden' }, 'a viewer reads, and does not comment')
  const reader = await connect(t, url, { token: (await signIn(app, 'bob', { scope: 'tasks:read' })).access_token })
  reader.send({ type: 'comment', task_id: task.id, body: 'Can I?' })
  t.match(await reader.next(), { type: 'error', error: 'insufficient-scope' })
})

t.test('a renamed project\'s room is followed by its new slug; a resume from before the retention is a reset', async (t) => {
  const { app, url } = await listening(t, { WS_PING_INTERVAL_MS: '100' })
  await app.inject({ method: 'POST', url: '/projects', payload: { name: 'Apollo', slug: 'apollo' } })
  for (const title of ['One', 'Two', 'Three']) await app.inject({ method: 'POST', url: '/tasks', payload: { title, project: 'apollo' } })
  const client = await connect(t, url)
  client.send({ type: 'subscribe', project: 'apollo' })
  const { after } = await client.next()
  await app.inject({ method: 'PATCH', url: '/projects/apollo', payload: { slug: 'artemis' } })
  for (const [index, title] of ['One', 'Two', 'Three'].entries()) {
    t.match(await client.next(), { id: after + index + 1, type: 'task.updated', data: { title, project: 'artemis' } }, 'the rename is an update of each of its tasks, followed through it')
  }
  t.same(await client.next(), { type: 'unsubscribed', project: 'apollo' })
  t.match(await client.next(), { type: 'subscribed', project: 'artemis', present: ['local'] }, 'and joined again by its new name')
  const created = await app.inject({ method: 'POST', url: '/tasks', payload: { title: 'Four', project: 'artemis' } })
  t.match(await client.next(), { id: after + 4, type: 'task.created', data: { id: created.json().id } })

  t.ok(await app.db.events.purgeBefore(Date.now() + 1) >= 2, 'the log forgets all but its newest event')
  client.send({ type: 'resume', after: after - 2 })
  t.match(await client.next(), { type: 'resumed' })
  t.match(await client.next(), { type: 'reset', id: after + 4 })
})

t.test('a ticket ends with the token it was issued for; a ticket that is not one is refused', async (t) => {
  const { app, url } = await listening(t, { AUTH: 'on', ACCESS_TOKEN_TTL_SECONDS: '2', WS_PING_INTERVAL_MS: '200' })
  const root = await administratorToken(app)
  const { ticket } = (await app.inject({ method: 'POST', url: '/ws/tickets', headers: bearer(root) })).json()
  const socket = await connect(t, url, { ticket })
  t.match(await socket.next(), { type: 'error', error: 'invalid-token', detail: /expired/ })
  t.equal((await socket.closed).code, 1008)
  const forged = new WebSocket(`${url}/ws?ticket=${root}`, ['task-api'])
  t.equal(await new Promise((resolve) => forged.on('unexpected-response', (_request, response) => resolve(response.statusCode))), 401, 'an access token is not a ticket')
  const garbage = new WebSocket(`${url}/ws?ticket=garbage`, ['task-api'])
  t.equal(await new Promise((resolve) => garbage.on('unexpected-response', (_request, response) => resolve(response.statusCode))), 401, 'nor is anything else')
})

t.test('the database failing: a message is refused and may be sent again; a feed that cannot read is closed with 1011', async (t) => {
  // SQLite whichever pass this is: its connection is what is made to fail here.
  // No polls: the feeds read only when told of a commit, or on resume.
  const { app, url } = await listening(t, { DATABASE_URL: join(temporaryDirectory(t), 'tasks.db'), JOB_WORKER: 'off', EVENT_POLL_INTERVAL_MS: '600000' })
  await app.inject({ method: 'POST', url: '/projects', payload: { name: 'Apollo', slug: 'apollo' } })
  const task = (await app.inject({ method: 'POST', url: '/tasks', payload: { title: 'Talked about', project: 'apollo' } })).json()
  const client = await connect(t, url)
  const { $client: connection } = (app.db as SqliteDatabase).connection
  connection.pragma('query_only = 1')
  client.send({ type: 'comment', task_id: task.id, body: 'Lost?' })
  t.match(await client.next(), { type: 'error', error: 'storage-unavailable' })
  connection.pragma('query_only = 0')
  client.send({ type: 'comment', task_id: task.id, body: 'Again', ref: 'again' })
  t.match(await client.next(), { type: 'comment.ack', ref: 'again' }, 'sent again, it is stored')
  const resuming = await connect(t, url)
  connection.close()
  client.send({ type: 'subscribe', project: 'apollo' })
  t.equal((await client.closed).code, 1011, 'a message the database fails on other than by being unavailable closes the socket')
  resuming.send({ type: 'resume', after: 0 })
  t.equal((await resuming.closed).code, 1011, 'so does a read of the log that fails')
})
