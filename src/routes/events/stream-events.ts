import { once } from 'node:events'
import { PassThrough } from 'node:stream'
import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { mayRead } from '../../db/event-log.js'
import type { Viewer } from '../../db/viewer.js'
import { followLog, READ_LIMIT } from '../../live/log-follower.js'
import { principalOf } from '../../plugins/app/authentication.js'
import { ProblemError } from '../../problems/problem-error.js'
import { problemResponses } from '../../problems/problem-responses.js'
import { bodyFieldProblem } from '../../problems/validation-problem.js'
import { EventStreamHeaders, EventStreamQuery, FEED_EVENTS } from '../../schemas/event.js'

export interface EventStreamOptions {
  /** SSE_HEARTBEAT_MS */
  heartbeatMs: number
}

// How long a client waits before it reconnects, told once at the start.
const RECONNECT_MS = 2000

const streamEvents: FastifyPluginAsyncTypebox<EventStreamOptions> = async (fastify, { heartbeatMs }) => {
  // The feeds open in this process: ended when the server closes, so that they do not hold it.
  const open = new Set<() => void>()
  fastify.addHook('preClose', async () => {
    for (const end of open) end()
  })

  fastify.get('/', {
    config: { access: 'tasks:read' },
    schema: {
      operationId: 'streamEvents',
      summary: 'Follow task changes live (server-sent events)',
      description: `A \`text/event-stream\` of every change to the tasks you may see, as it commits: each event has \`id:\` (its place in the change log), \`event:\` (${FEED_EVENTS.map((type) => `\`${type}\``).join(', ')}) and \`data:\` (JSON \`{type, timestamp, data}\`, \`data\` being the task as the change left it, or for \`comment.created\` the new comment). Reconnecting with \`Last-Event-ID\` (or \`?after=\`) resumes just after that event, nothing lost or doubled; an id older than the log keeps (EVENT_RETENTION_MS) gets a \`reset\` event instead: reload, then go on from its id. A comment line is sent every SSE_HEARTBEAT_MS. Access is checked on every read: a member removed from a project gets none of its events from then on; and the token at every heartbeat: once its user is disabled or changes password, or the token expires or is revoked, a \`revoked\` event says why and the stream ends.`,
      tags: ['Live'],
      querystring: EventStreamQuery,
      headers: EventStreamHeaders,
      response: {
        200: {
          description: 'The stream, open until the client (or the server, stopping) closes it.',
          content: { 'text/event-stream': { schema: Type.String({ examples: ['id: 42\nevent: task.updated\ndata: {"type":"task.updated","timestamp":"2026-12-03T10:00:00.000Z","data":{"id":7,"title":"Ship it",...}}\n\n'] }) } }
        },
        ...problemResponses('validation', 'rate-limited')
      }
    }
  }, async (request, reply) => {
    let viewer: Viewer = principalOf(request)
    // The project followed, by its id: its events keep coming when it is renamed.
    let projectId: number | undefined
    if (request.query.project !== undefined) {
      const found = await fastify.db.projects.find(viewer, request.query.project)
      if (found === undefined) throw bodyFieldProblem('project', 'is not a project you can see')
      projectId = found.id
    }
    const resumeFrom = request.headers['last-event-id'] ?? request.query.after
    const cursor = resumeFrom === undefined ? await fastify.db.events.latest() : Number(resumeFrom)
    reply.header('content-type', 'text/event-stream; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header('x-accel-buffering', 'no')
    if (request.method === 'HEAD') return reply.send('')

    const stream = new PassThrough()
    let ended = false
    const end = () => {
      if (ended) return
      ended = true
      clearInterval(heartbeat)
      following.stop()
      open.delete(end)
      stream.end()
    }
    // Who reads is checked again at every heartbeat: a user disabled, demoted
    // or whose token expired or was revoked is told why, and the stream ends.
    const heartbeat = setInterval(() => {
      stream.write(': heartbeat\n\n')
      fastify.principalNow(request).then((now) => {
        viewer = now
      }, (error: unknown) => {
        if (ended) return
        // Told why when the credential is refused; a check that failed ends the stream all the same (the client resumes).
        stream.write(`event: revoked\ndata: ${JSON.stringify({ type: 'revoked', detail: error instanceof ProblemError ? error.detail : 'Your credential could not be checked again: reconnect.' })}\n\n`)
        end()
      })
    }, heartbeatMs)
    stream.write(`retry: ${RECONNECT_MS}\n\n`)
    const following = followLog({
      after: cursor,
      read: (after) => fastify.db.events.read(viewer, { after, projectIds: projectId === undefined ? undefined : [projectId], limit: READ_LIMIT }),
      admits: (event, members) => (projectId === undefined || event.projectId === projectId) && mayRead(viewer, event, members),
      tail: fastify.logTail,
      latest: () => fastify.db.events.latest(),
      deliver: async (events) => {
        for (const event of events) stream.write(`id: ${event.seq}\nevent: ${event.type}\ndata: ${event.body}\n\n`)
        // A client that reads slower than events come is waited for, never buffered without bound.
        if (stream.writableNeedDrain) await Promise.race([once(stream, 'drain'), once(stream, 'close')])
      },
      reset: (latest) => stream.write(`id: ${latest}\nevent: reset\ndata: ${JSON.stringify({ type: 'reset', detail: 'Events after the one you resumed from were forgotten: reload, then follow on from here.' })}\n\n`),
      failed: (error) => {
        request.log.error({ err: error }, 'the event stream failed: it is closed, and the client resumes when it reconnects')
        end()
      }
    })
    open.add(end)
    reply.raw.on('close', end)
    // The 200 schema describes the text a client reads; what is sent is the stream of it.
    return reply.send(stream as unknown as string)
  })
}

export default streamEvents
