import type { FastifyInstance, FastifyRequest, FastifySchemaCompiler } from 'fastify'
import type { RawData, WebSocket } from 'ws'
import { Type, type TSchema } from '@sinclair/typebox'
import type { Principal } from '../auth/principal.js'
import { mayRead, type LoggedEvent } from '../db/event-log.js'
import { StorageUnavailableError } from '../db/storage-unavailable-error.js'
import { principalOf } from '../plugins/app/authentication.js'
import { ProblemError } from '../problems/problem-error.js'
import { validationProblem } from '../problems/validation-problem.js'
import type { ProblemFieldError } from '../schemas/problem.js'
import { CLIENT_MESSAGES, SOCKET_MESSAGE_MAX_BYTES, type ClientMessage } from '../schemas/socket-message.js'
import { followLog, READ_LIMIT, type Following } from './log-follower.js'
import type { RoomMember, Rooms } from './rooms.js'

export interface FeedSocketOptions {
  /** WS_PING_INTERVAL_MS */
  pingIntervalMs: number
  /** WS_SEND_BUFFER_BYTES */
  sendBufferBytes: number
}

// RFC 6455 close codes.
const CLOSE = {
  policyViolation: 1008,
  invalidPayload: 1007,
  tooBig: 1009,
  internalError: 1011,
  tryAgainLater: 1013
} as const

// How long a client may take to read what is held for it past WS_SEND_BUFFER_BYTES before it is let go (1013).
export const SLOW_CONSUMER_GRACE_MS = 5000

/** The validator of each client message, by its type. */
export type MessageValidators = Record<string, ReturnType<FastifySchemaCompiler<TSchema>>>

/** Compiles the client messages' validators with the app's own compiler (which holds the shared schemas), as a JSON body's. */
export function messageValidators (compile: FastifySchemaCompiler<TSchema>): MessageValidators {
  return Object.fromEntries(CLIENT_MESSAGES.map((schema: TSchema) =>
    [schema.properties.type.const as string, compile({ schema: Type.Ref(schema.$id as string), httpPart: 'body', method: 'GET', url: '/ws' })]))
}

// Each event's message, made once for every socket that is sent it (the tail's events are shared).
const messages = new WeakMap<LoggedEvent, Buffer>()
const messageOf = (event: LoggedEvent): Buffer => {
  let message = messages.get(event)
  if (message === undefined) {
    message = Buffer.from(`{"id":${event.seq},${event.body.slice(1)}`)
    messages.set(event, message)
  }
  return message
}

/** What the client is told of a message it should not have sent, and whether it counts toward closing the socket. */
interface Refusal {
  error: string
  detail: string
  errors?: ProblemFieldError[] | undefined
}

/**
 * Serves one WebSocket of the live feed (GET /ws): the rooms it joins
 * (`subscribe`, `unsubscribe`), the events of their tasks from the change
 * log, in order and once each (`resume` replays from a point), who else is
 * in each room, and comments. Its messages are handled one at a time, in
 * the order they came.
 *
 * Every ping interval the socket must have answered the last ping (else it
 * is cut off as lost), and its credential is checked again: a user
 * disabled, or whose token expired or was revoked, is closed with 1008;
 * rooms of projects they may no longer see are left. Events are read as
 * the user may see them at each read.
 */
export function serveFeed (fastify: FastifyInstance, socket: WebSocket, request: FastifyRequest, rooms: Rooms, validators: MessageValidators, options: FeedSocketOptions): void {
  let principal: Principal = principalOf(request)
  // The rooms joined: each project's slug now, and its id, by which its events are followed (through renames).
  const joined = new Map<string, number>()
  const follows = (projectId: number | null) => {
    for (const id of joined.values()) if (id === projectId) return true
    return false
  }
  // The events of comments made on this socket, which it is not sent back (it had an acknowledgement).
  const ownComments = new Set<number>()
  const commenting = new Set<Promise<unknown>>()
  const strikes = { invalid: 0, tooBig: 0 }
  let closed = false
  let answered = true
  let following: Following | undefined

  // Resolves once everything sent so far has been handed to the operating system.
  let flushed: Promise<void> = Promise.resolve()
  const send = (message: Buffer | object) => {
    if (closed) return
    flushed = new Promise((resolve) => socket.send(Buffer.isBuffer(message) ? message : JSON.stringify(message), { binary: false }, () => resolve()))
  }
  /**
   * Whether what the feed sent went out within SLOW_CONSUMER_GRACE_MS once
   * the unsent bytes passed the bound: the feed waits for a client that
   * reads slower than events come, but not for ever, nor with more held for it.
   */
  const keptUp = async (): Promise<boolean> => {
    if (socket.bufferedAmount <= options.sendBufferBytes) return true
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<false>((resolve) => { timer = setTimeout(() => resolve(false), SLOW_CONSUMER_GRACE_MS) })
    const kept = await Promise.race([flushed.then(() => true), late])
    clearTimeout(timer)
    return kept
  }
  const close = (code: number, reason: string) => {
    if (closed) return
    closed = true
    socket.close(code, reason)
    ended()
  }
  const ended = () => {
    closed = true
    clearInterval(pinging)
    following?.stop()
    for (const projectId of joined.values()) rooms.leave(projectId, member)
    joined.clear()
  }
  const member: RoomMember = {
    username: principal.username,
    presence: (projectId, change, username) => {
      for (const [project, id] of joined) if (id === projectId) send({ type: `presence.${change}`, project, user: username })
    }
  }

  const follow = (after: number) => {
    following?.stop()
    following = followLog({
      after,
      read: (from) => fastify.db.events.read(principal, { after: from, projectIds: [...joined.values()], limit: READ_LIMIT }),
      admits: (event, members) => follows(event.projectId) && mayRead(principal, event, members),
      tail: fastify.logTail,
      latest: () => fastify.db.events.latest(),
      deliver: async (events) => {
        // A comment of this socket's may be in the batch before its creation has said which event it is.
        if (commenting.size > 0 && events.some(({ type }) => type === 'comment.created')) await Promise.allSettled(commenting)
        for (const event of events) {
          if (!ownComments.delete(event.seq)) send(messageOf(event))
          if (!await keptUp()) return close(CLOSE.tryAgainLater, 'Too slow for the feed: reconnect and resume.')
        }
      },
      reset: (latest) => send({ type: 'reset', id: latest, detail: 'Events after the one you resumed from were forgotten: reload, then follow on from here.' }),
      failed: (error) => {
        request.log.error({ err: error }, 'a WebSocket feed failed: it is closed, and the client resumes when it reconnects')
        close(CLOSE.internalError, 'The feed failed: reconnect and resume.')
      }
    })
  }

  const enter = async (slug: string, projectId: number, ref?: string) => {
    // Closed while the project was looked up: there is no room to join any more.
    if (closed) return
    joined.set(slug, projectId)
    const after = following?.cursor
    send({ type: 'subscribed', project: slug, present: await rooms.join(projectId, member), after, ref })
  }
  const subscribe = async ({ project, ref }: { project: string, ref?: string | undefined }) => {
    const found = await fastify.db.projects.find(principal, project)
    if (found === undefined) return refuse({ error: 'project-not-found', detail: `There is no project ${project} that you can see.` }, ref)
    await enter('movedTo' in found ? found.movedTo : found.project.slug, found.id, ref)
  }
  const unsubscribe = ({ project, ref }: { project: string, ref?: string | undefined }) => {
    const projectId = joined.get(project)
    joined.delete(project)
    if (projectId !== undefined) rooms.leave(projectId, member)
    send({ type: 'unsubscribed', project, ref })
  }
  const comment = async ({ task_id: taskId, body, ref }: { task_id: number, body: string, ref?: string | undefined }) => {
    if (!principal.scopes.has('tasks:write')) return refuse({ error: 'insufficient-scope', detail: 'Commenting needs a token with the scope tasks:write, which yours does not hold.' }, ref)
    const creating = fastify.db.comments.create(principal, taskId, body).then((created) => {
      if (typeof created === 'object') ownComments.add(created.seq)
      return created
    })
    commenting.add(creating)
    const created = await creating.finally(() => commenting.delete(creating))
    if (created === 'not-found') return refuse({ error: 'task-not-found', detail: `There is no task ${taskId} that you can see.` }, ref)
    if (created === 'forbidden') return refuse({ error: 'forbidden', detail: 'You see this task as a viewer of its project: viewers may not comment.' }, ref)
    send({ type: 'comment.ack', id: created.seq, comment: created.comment, ref })
  }

  const refuse = (refusal: Refusal, ref?: string) => send({ type: 'error', ...refusal, ref })
  /** A message that breaks the protocol: an error the first time, the socket closed the next. */
  const strike = (kind: keyof typeof strikes, refusal: Refusal, ref?: string) => {
    strikes[kind] += 1
    refuse(refusal, ref)
    if (strikes[kind] > 1) close(kind === 'tooBig' ? CLOSE.tooBig : CLOSE.invalidPayload, kind === 'tooBig' ? 'Messages are at most 64 KiB.' : 'Messages must be JSON as the feed documents them.')
  }

  const receive = async (data: RawData, isBinary: boolean) => {
    const text = Buffer.isBuffer(data) ? data : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)])
    if (text.length > SOCKET_MESSAGE_MAX_BYTES) return strike('tooBig', { error: 'message-too-large', detail: `Messages are at most ${SOCKET_MESSAGE_MAX_BYTES} bytes; this one had ${text.length}.` })
    if (isBinary) return strike('invalid', { error: 'invalid-message', detail: 'Messages are JSON text, never binary.' })
    let message: Record<string, unknown>
    try {
      message = JSON.parse(text.toString('utf8')) as Record<string, unknown>
    } catch {
      return strike('invalid', { error: 'invalid-message', detail: 'The message is not JSON.' })
    }
    const ref = typeof message?.ref === 'string' ? message.ref : undefined
    const validate = typeof message?.type === 'string' ? validators[message.type] : undefined
    if (validate === undefined) return strike('invalid', { error: 'invalid-message', detail: `A message is a JSON object whose type is one of ${Object.keys(validators).join(', ')}.` }, ref)
    if (typeof message.body === 'string') message.body = message.body.trim()
    if (validate(message) !== true) {
      const problem = validationProblem('body', validate.errors ?? [])
      return strike('invalid', { error: 'invalid-message', detail: problem.detail, errors: problem.errors }, ref)
    }
    const valid = message as ClientMessage
    switch (valid.type) {
      case 'subscribe': return await subscribe(valid)
      case 'unsubscribe': return unsubscribe(valid)
      case 'resume':
        follow(valid.after)
        return send({ type: 'resumed', after: valid.after, ref: valid.ref })
      case 'comment': return await comment(valid)
    }
  }

  // The credential and the rooms, again; and whether the client is still there.
  const recheck = async () => {
    try {
      principal = await fastify.principalNow(request)
    } catch (error) {
      if (!(error instanceof ProblemError)) throw error
      refuse({ error: error.kind, detail: error.detail })
      return close(CLOSE.policyViolation, 'The credential is no longer valid.')
    }
    for (const project of [...joined.keys()]) {
      const found = await fastify.db.projects.find(principal, project)
      if (found !== undefined && 'project' in found) continue
      if (found === undefined) {
        unsubscribe({ project })
        continue
      }
      // Renamed: the same room (its events, followed by its id, never stop), by its new slug.
      joined.delete(project)
      send({ type: 'unsubscribed', project })
      await enter(found.movedTo, found.id)
    }
  }
  const pinging = setInterval(() => {
    if (!answered) {
      socket.terminate()
      return
    }
    answered = false
    socket.ping()
    queue = queue.then(recheck).catch(failed)
  }, options.pingIntervalMs)
  socket.on('pong', () => {
    answered = true
  })

  const failed = (error: unknown) => {
    // The database was unavailable for this message: the client may send it again.
    if (error instanceof StorageUnavailableError) return refuse({ error: 'storage-unavailable', detail: `${error.message}: nothing was done; send it again shortly.` })
    request.log.error({ err: error }, 'a WebSocket feed message failed: the socket is closed')
    close(CLOSE.internalError, 'The feed failed: reconnect and resume.')
  }
  // Messages are handled in order, one at a time, after the feed has found where the log is now.
  let queue: Promise<unknown> = fastify.db.events.latest().then((latest) => {
    follow(latest)
    send({ type: 'ready', user: principal.username, after: latest })
  })
  queue = queue.catch(failed)
  socket.on('message', (data, isBinary) => {
    queue = queue.then(() => closed ? undefined : receive(data, isBinary)).catch(failed)
  })
  socket.on('close', ended)
}
