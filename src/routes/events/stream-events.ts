import { once } from 'node:events'
import { PassThrough } from 'node:stream'
import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { principalOf } from '../../plugins/app/authentication.js'
import { problemResponses } from '../../problems/problem-responses.js'
import { bodyFieldProblem } from '../../problems/validation-problem.js'
import { EventStreamHeaders, EventStreamQuery } from '../../schemas/event.js'
import { FEED_EVENTS } from '../../schemas/event.js'

export interface EventStreamOptions {
  /** EVENT_POLL_INTERVAL_MS */
  pollIntervalMs: number
  /** SSE_HEARTBEAT_MS */
  heartbeatMs: number
}

// Events read from the log at a time: a feed far behind catches up page by page.
const READ_LIMIT = 100
// How long a client waits before it reconnects, told once at the start.
const RECONNECT_MS = 2000

const streamEvents: FastifyPluginAsyncTypebox<EventStreamOptions> = async (fastify, { pollIntervalMs, heartbeatMs }) => {
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
      description: `A \`text/event-stream\` of every change to the tasks you may see, as it commits: each event has \`id:\` (its place in the change log), \`event:\` (${FEED_EVENTS.map((type) => `\`${type}\``).join(', ')}) and \`data:\` (JSON \`{type, timestamp, data}\`, \`data\` being the task as the change left it, or for \`comment.created\` the new comment). Reconnecting with \`Last-Event-ID\` (or \`?after=\`) resumes just after that event, nothing lost or doubled; an id older than the log keeps (EVENT_RETENTION_MS) gets a \`reset\` event instead: reload, then go on from its id. A comment line is sent every SSE_HEARTBEAT_MS when nothing else is. Access is checked on every read: a member removed from a project gets none of its events from then on.`,
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
    const viewer = principalOf(request)
    let project = request.query.project
    if (project !== undefined) {
      const found = await fastify.db.projects.find(viewer, project)
      if (found === undefined) throw bodyFieldProblem('project', 'is not a project you can see')
      project = 'movedTo' in found ? found.movedTo : found.project.slug
    }
    const resumeFrom = request.headers['last-event-id'] ?? request.query.after
    let cursor = resumeFrom === undefined ? await fastify.db.events.latest() : Number(resumeFrom)
    reply.header('content-type', 'text/event-stream; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header('x-accel-buffering', 'no')
    if (request.method === 'HEAD') return reply.send('')

    const stream = new PassThrough()
    let ended = false
    let wake: (() => void) | undefined
    const woken = () => wake?.()
    const stopListening = fastify.db.onEventsAppended(woken)
    const heartbeat = setInterval(() => stream.write(': heartbeat\n\n'), heartbeatMs)
    const end = () => {
      if (ended) return
      ended = true
      clearInterval(heartbeat)
      stopListening()
      open.delete(end)
      woken()
      stream.end()
    }
    open.add(end)
    reply.raw.on('close', end)
    stream.write(`retry: ${RECONNECT_MS}\n\n`)

    const follow = async () => {
      while (!ended) {
        const read = await fastify.db.events.read(viewer, { after: cursor, projects: project === undefined ? undefined : [project], limit: READ_LIMIT })
        if (read.reset) {
          cursor = await fastify.db.events.latest()
          stream.write(`id: ${cursor}\nevent: reset\ndata: ${JSON.stringify({ type: 'reset', detail: 'Events after the one you resumed from were forgotten: reload, then follow on from here.' })}\n\n`)
          continue
        }
        for (const event of read.events) stream.write(`id: ${event.seq}\nevent: ${event.type}\ndata: ${event.body}\n\n`)
        cursor = read.through
        // A client that reads slower than events come is waited for, never buffered without bound.
        if (stream.writableNeedDrain) await Promise.race([once(stream, 'drain'), once(stream, 'close')])
        if (read.events.length === READ_LIMIT) continue
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, pollIntervalMs)
          function done () {
            clearTimeout(timer)
            wake = undefined
            resolve()
          }
          wake = done
        })
      }
    }
    follow().catch((error: unknown) => {
      request.log.error({ err: error }, 'the event stream failed: it is closed, and the client resumes when it reconnects')
      end()
    })
    // The 200 schema describes the text a client reads; what is sent is the stream of it.
    return reply.send(stream as unknown as string)
  })
}

export default streamEvents
