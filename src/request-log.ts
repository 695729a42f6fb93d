import type { FastifyRequest } from 'fastify'

// Query parameters that may carry a secret when a client puts one where it
// does not belong (the API never reads secrets from the URL).
const SECRET_PARAMETER = /([?&](?:password|current_password|access_token|refresh_token|client_secret|token)=)[^&#]*/gi

/**
 * How a request appears in the log: Fastify's own fields, with the value of
 * any query parameter named like a secret replaced, so that no password or
 * token reaches the log even when a client sends one in the URL.
 */
export function requestLogValue (request: FastifyRequest) {
  return {
    method: request.method,
    url: request.url.includes('?') ? request.url.replace(SECRET_PARAMETER, '$1[redacted]') : request.url,
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort
  }
}
