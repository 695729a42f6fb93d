import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

/** How far a signed timestamp may be from now, either way: a request older than this is a replay. */
export const SIGNATURE_TOLERANCE_SECONDS = 5 * 60

/**
 * The key a secret signs with. A Standard Webhooks secret (`whsec_` and
 * base64) signs with the bytes it encodes; any other, with its own UTF-8 bytes.
 */
export function signingKey (secret: string): Buffer {
  return secret.startsWith('whsec_') ? Buffer.from(secret.slice('whsec_'.length), 'base64') : Buffer.from(secret, 'utf8')
}

/** `sha256=<hex>`: the HMAC-SHA256 of the body, as GitHub's X-Hub-Signature-256 writes it. */
export function bodySignature (secret: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', signingKey(secret)).update(body).digest('hex')}`
}

/** `v1,<base64>`: the Standard Webhooks signature of a message's id, timestamp (seconds) and body. */
export function standardSignature (secret: string, id: string, timestamp: number, body: Buffer | string): string {
  const signed = createHmac('sha256', signingKey(secret)).update(`${id}.${timestamp}.`).update(body).digest('base64')
  return `v1,${signed}`
}

/** Whether two signatures are the same, compared in constant time (their lengths are not secret). */
export function sameSignature (given: string, expected: string): boolean {
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

/** Why a signed request is refused, or undefined when its signature holds. */
export type SignatureRefusal = 'missing' | 'mismatch' | 'stale'

export interface SignedHeaders {
  'x-signature-256'?: string | undefined
  'webhook-id'?: string | undefined
  'webhook-timestamp'?: string | undefined
  'webhook-signature'?: string | undefined
}

/**
 * Checks a request's signature over the exact bytes of its body: the
 * Standard Webhooks headers when `webhook-signature` is sent (any of its
 * space-separated `v1,` signatures may match; its timestamp must be within
 * SIGNATURE_TOLERANCE_SECONDS of `nowSeconds`), else `X-Signature-256`.
 */
export function checkSignature (secret: string, headers: SignedHeaders, body: Buffer, nowSeconds: number): SignatureRefusal | undefined {
  const standard = headers['webhook-signature']
  if (standard !== undefined) {
    const id = headers['webhook-id']
    const timestamp = headers['webhook-timestamp']
    if (id === undefined || timestamp === undefined || !/^\d{1,12}$/.test(timestamp)) return 'missing'
    const expected = standardSignature(secret, id, Number(timestamp), body)
    if (!standard.split(' ').some((signature) => sameSignature(signature, expected))) return 'mismatch'
    return Math.abs(nowSeconds - Number(timestamp)) > SIGNATURE_TOLERANCE_SECONDS ? 'stale' : undefined
  }
  const signature = headers['x-signature-256']
  if (signature === undefined) return 'missing'
  return sameSignature(signature, bodySignature(secret, body)) ? undefined : 'mismatch'
}

/** A new signing secret: `whsec_` and 32 random bytes in base64, as Standard Webhooks writes them. */
export function newSigningSecret (): string {
  return `whsec_${randomBytes(32).toString('base64')}`
}
