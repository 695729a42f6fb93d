import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { isIP } from 'node:net'
import { checkedLookup, hostOf, isPublicAddress, RefusedAddressError, type Resolve } from './address-policy.js'

export interface PostOptions {
  /** Aborts the request (the worker is stopping). */
  signal: AbortSignal
  /** No answer (headers) within this long fails the attempt. */
  timeoutMs: number
  /** WEBHOOK_ALLOW_PRIVATE: whether loopback, private and link-local addresses may be sent to. */
  allowPrivate: boolean
  resolve?: Resolve | undefined
}

/**
 * POSTs a JSON body and answers the response's status once its headers are
 * in (the body is read and dropped). Redirects are not followed. Unless
 * private addresses are allowed, the host is checked as the connection is
 * made, against the very address it connects to (RefusedAddressError).
 */
export async function postEvent (url: URL, headers: Record<string, string>, body: string, { signal, timeoutMs, allowPrivate, resolve }: PostOptions): Promise<number> {
  const host = hostOf(url)
  if (!allowPrivate && isIP(host) !== 0 && !isPublicAddress(host)) throw new RefusedAddressError(host, host)
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest
  const timeout = AbortSignal.timeout(timeoutMs)
  return new Promise((resolved, rejected) => {
    const outgoing = request(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
      agent: false,
      signal: AbortSignal.any([signal, timeout]),
      ...(allowPrivate ? {} : { lookup: checkedLookup(resolve) })
    }, (response) => {
      response.resume()
      resolved(response.statusCode as number)
    })
    outgoing.on('error', (error) => {
      rejected(timeout.aborted ? new Error(`no answer within ${timeoutMs / 1000} s`) : error)
    })
    outgoing.end(body)
  })
}
