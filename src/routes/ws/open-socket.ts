import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { TSchema } from '@sinclair/typebox'
import type { FastifySchemaCompiler } from 'fastify'
import { messageValidators, serveFeed, type FeedSocketOptions } from '../../live/feed-socket.js'
import { Rooms } from '../../live/rooms.js'
import { FEED_PROTOCOL } from '../../plugins/external/websocket.js'
import { ProblemError } from '../../problems/problem-error.js'
import { problemResponses } from '../../problems/problem-responses.js'
import { CLIENT_MESSAGES, SERVER_MESSAGES, SocketQuery } from '../../schemas/socket-message.js'

export interface SocketOptions extends FeedSocketOptions {
  /** WS_MAX_CONNECTIONS */
  maxConnections: number
}

// How long a client turned away for too many connections is asked to wait.
const RETRY_AFTER_SECONDS = 5

const names = (schemas: ReadonlyArray<{ $id?: string }>) => schemas.map(({ $id }) => `\`${$id}\``).join(', ')

const openSocket: FastifyPluginAsyncTypebox<SocketOptions> = async (fastify, { maxConnections, ...options }) => {
  const rooms = new Rooms({ presence: fastify.db.presence, onChanged: fastify.db.onPresenceChanged, refreshMs: options.pingIntervalMs, log: fastify.log })
  // After the sockets were closed (preClose): this instance's seats are given up.
  fastify.addHook('onClose', async () => rooms.close())
  const validators = messageValidators(fastify.validatorCompiler as FastifySchemaCompiler<TSchema>)

  fastify.route({
    method: 'GET',
    url: '/',
    config: { access: 'tasks:read' },
    // Turned away before the upgrade, with a problem, while this instance has its fill of sockets.
    preHandler: async () => {
      if (fastify.websocketServer.clients.size >= maxConnections) {
        throw new ProblemError('too-many-connections', `This instance has its ${maxConnections} WebSocket connections (WS_MAX_CONNECTIONS): try again shortly.`, undefined, RETRY_AFTER_SECONDS)
      }
    },
    schema: {
      operationId: 'openSocket',
      summary: 'Follow projects live, with presence and comments (WebSocket)',
      description: `Upgrades to a WebSocket (subprotocol \`${FEED_PROTOCOL}\`) carrying JSON text messages. Authenticate with \`Authorization: Bearer\`, or (browsers cannot set headers) by offering the subprotocols \`${FEED_PROTOCOL}\` and \`bearer.<token>\`, or with \`?ticket=\` from POST /ws/tickets. The server first sends \`ready\`; then the client sends ${names(CLIENT_MESSAGES)} (schemas in components), and gets ${names(SERVER_MESSAGES)}. Events are those of GET /events, for the projects joined, each with its \`id\`; \`resume {after}\` replays from a point, every event once and in order. Joining and leaving a room (closing, or not answering pings for WS_PING_INTERVAL_MS) is told to the others in it. A comment is acknowledged to its sender and sent to everyone else who sees the task. Access is checked at every read and the credential at every ping: a user disabled, or whose token expires or is revoked, is closed with 1008. The feed waits for a client that reads slower than events come once WS_SEND_BUFFER_BYTES are unsent; one that has not caught up within 5 s is closed with 1013 and resumes; a message over 64 KiB or not as documented gets an \`error\`, and the second closes the socket (1009, 1007). A plain GET (no upgrade) answers 426.`,
      tags: ['Live'],
      querystring: SocketQuery,
      response: {
        101: { description: 'Switching Protocols: the WebSocket is open.', type: 'null' },
        ...problemResponses('upgrade-required', 'validation', 'rate-limited', 'too-many-connections')
      }
    },
    handler: async () => {
      throw new ProblemError('upgrade-required', `GET /ws is a WebSocket: send \`Connection: Upgrade\` and \`Upgrade: websocket\` (subprotocol ${FEED_PROTOCOL}).`)
    },
    wsHandler: (socket, request) => {
      serveFeed(fastify, socket, request, rooms, validators, options)
    }
  })
}

export default openSocket
