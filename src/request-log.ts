import type { FastifyRequest } from 'fastify'

// Query parameters that may carry a secret when a client puts one where it
// does not belong (the API never reads secrets from the URL).
const SECRET_PARAMETER = /([?&](?:password|current_password|access_token|refresh_token|client_secret|token)=)[^&#]*/gi

/** The request's URL as logged: the value of any query parameter named like a secret replaced. */
export const loggedUrl = (url: string): string => url.includes('?') ? url.replace(SECRET_PARAMETER, '$1[redacted]') : url

/**
 * How a request appears in the log (the "incoming request" line at debug,
 * and any line given the request): Fastify's own fields, with no password
 * or token even when a client sends one in the URL.
 */
export function requestLogValue (request: FastifyRequest) {
  return {
    method: request.method,
    url: loggedUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort
  }
}
