import { createHmac, timingSafeEqual } from 'node:crypto'
import { once } from 'node:events'
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Test } from 'tap'

/** A request the receiver was sent: its headers and the exact body. */
export interface ReceivedRequest {
  headers: IncomingHttpHeaders
  body: string
  /** The body, parsed. */
  event: { type: string, timestamp: string, data: Record<string, any> }
}

/** How the receiver answers its nth request (from 1): a status, or `hang` to never answer. */
export type Answer = (n: number) => number | 'hang'

export interface WebhookReceiver {
  /** The URL to make a webhook of. */
  url: string
  /** Every request so far, answered or not. */
  received: ReceivedRequest[]
  /** Resolves once `count` requests have arrived. */
  receivedCount: (count: number) => Promise<ReceivedRequest[]>
}

/**
 * A real HTTP server on this machine that webhooks are sent to, as a
 * customer's would be: it records every request and answers as `answer`
 * says (200 unless told). Closed when the test ends.
 */
export async function startReceiver (t: Test, answer: Answer = () => 200): Promise<WebhookReceiver> {
  const received: ReceivedRequest[] = []
  const waiting: Array<{ count: number, resolve: (requests: ReceivedRequest[]) => void }> = []
  const hanging: ServerResponse[] = []
  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      received.push({ headers: request.headers, body, event: JSON.parse(body) })
      const status = answer(received.length)
      if (status === 'hang') hanging.push(response)
      else response.writeHead(status, { 'content-type': 'text/plain' }).end('thanks')
      for (const wait of waiting.filter(({ count }) => received.length >= count)) {
        waiting.splice(waiting.indexOf(wait), 1)
        wait.resolve(received.slice())
      }
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(async () => {
    for (const response of hanging) response.destroy()
    server.closeAllConnections()
    server.close()
  })
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/task-api`,
    received,
    receivedCount: async (count) => received.length >= count ? received.slice() : new Promise((resolve) => waiting.push({ count, resolve }))
  }
}

/**
 * Whether one of the request's `webhook-signature` signatures is the
 * Standard Webhooks signature with `secret`: written here from the scheme
 * (HMAC-SHA256 of `id.timestamp.body`, keyed with the secret's base64
 * bytes), as a receiver would, not with the API's own code.
 */
export function signedWith (secret: string, { headers, body }: ReceivedRequest): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64')
  const expected = Buffer.from(createHmac('sha256', key).update(`${String(headers['webhook-id'])}.${String(headers['webhook-timestamp'])}.${body}`).digest('base64'))
  return String(headers['webhook-signature']).split(' ').some((signature) => {
    const given = Buffer.from(signature.replace(/^v1,/, ''))
    return signature.startsWith('v1,') && given.length === expected.length && timingSafeEqual(given, expected)
  })
}
