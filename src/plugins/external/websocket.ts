import fp from 'fastify-plugin'
import websocket from '@fastify/websocket'
import type { FastifyInstance } from 'fastify'

/** The largest WebSocket message read at all: a bigger one closes the connection with 1009 (the feed refuses messages over 64 KiB with an error first). */
export const SOCKET_FRAME_LIMIT_BYTES = 1024 * 1024
/** The subprotocol of the feed, which a client offers (beside `bearer.<token>`, if it sends one) and the server chooses. */
export const FEED_PROTOCOL = 'task-api'

// How long open sockets get to finish the closing handshake when the server stops.
const CLOSE_GRACE_MS = 1000

/**
 * Lets routes answer WebSocket upgrades (`websocket: true`): the upgrade
 * goes through every hook an HTTP request does, authentication included,
 * before it is accepted. Open sockets are told the server is going away
 * (1001) when it closes.
 */
async function webSockets (fastify: FastifyInstance) {
  await fastify.register(websocket, {
    options: {
      maxPayload: SOCKET_FRAME_LIMIT_BYTES,
      // The feed's protocol when offered; a bearer token offered as a subprotocol is never echoed back.
      handleProtocols: (offered) => offered.has(FEED_PROTOCOL) ? FEED_PROTOCOL : false
    },
    preClose (done) {
      const { clients } = fastify.websocketServer
      for (const socket of clients) socket.close(1001, 'The server is stopping: reconnect and resume.')
      // A client that does not answer the closing handshake is cut off, not waited for.
      const cutOff = setTimeout(() => {
        for (const socket of clients) socket.terminate()
      }, CLOSE_GRACE_MS)
      fastify.websocketServer.close(() => {
        clearTimeout(cutOff)
        done()
      })
    }
  })
}

export default fp(webSockets, { name: 'websocket' })
