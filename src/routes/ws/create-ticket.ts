import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { SOCKET_TICKET_TTL_SECONDS } from '../../plugins/app/authentication.js'
import { problemResponses } from '../../problems/problem-responses.js'
import { Ref } from '../../schemas/type-helpers.js'
import { SocketTicket } from '../../schemas/socket-message.js'

const createTicket: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post('/tickets', {
    config: { access: 'tasks:read' },
    schema: {
      operationId: 'createSocketTicket',
      summary: 'Get a ticket that opens one WebSocket',
      description: `For clients that cannot send an Authorization header on a WebSocket (browsers): a ticket opens one connection as you, \`GET /ws?ticket=...\`, within ${SOCKET_TICKET_TTL_SECONDS} seconds, with your token's scopes; the connection ends when the token it came from would have expired.`,
      tags: ['Live'],
      response: {
        201: Ref(SocketTicket, { description: 'The ticket.' }),
        ...problemResponses('rate-limited')
      }
    }
  }, async (request, reply) => {
    return reply.code(201).send({ ticket: await fastify.socketTicket(request), expires_in: SOCKET_TICKET_TTL_SECONDS })
  })
}

export default createTicket
