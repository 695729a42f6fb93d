import { LogController, type FastifyReply, type FastifyRequest } from 'fastify'
import { loggedUrl } from './request-log.js'

/**
 * The lines Fastify writes for every request: one access log line at info
 * once the response is done (method, URL with secrets taken out, status,
 * response time in ms, content length, the user when known, under the
 * request's id), and the "incoming request" line at debug only, for whoever
 * needs to see a request arrive before it is answered. Fastify's other
 * lines (errors, streams cut short) stay as they are.
 */
export class AccessLogController extends LogController {
  override incomingRequest (request: FastifyRequest): void {
    request.log.debug({ req: request }, 'incoming request')
  }

  override requestCompleted (error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const contentLength = reply.getHeader('content-length')
    const line = {
      method: request.method,
      url: loggedUrl(request.originalUrl),
      statusCode: reply.statusCode,
      responseTime: reply.elapsedTime,
      contentLength: contentLength === undefined ? null : Number(contentLength),
      userId: request.principal?.userId ?? null
    }
    if (error) reply.log.error({ ...line, err: error }, 'request errored')
    else reply.log.info(line, 'request completed')
  }
}
