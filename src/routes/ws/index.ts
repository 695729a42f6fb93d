import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import createTicket from './create-ticket.js'
import openSocket, { type SocketOptions } from './open-socket.js'

/** The WebSocket feed and its tickets: register with the prefix `/ws`. */
const sockets: FastifyPluginAsyncTypebox<SocketOptions> = async (fastify, { maxConnections, pingIntervalMs, sendBufferBytes }) => {
  await fastify.register(openSocket, { maxConnections, pingIntervalMs, sendBufferBytes })
  await fastify.register(createTicket)
}

export default sockets
