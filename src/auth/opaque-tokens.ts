import { hash, randomBytes } from 'node:crypto'

/** What each kind of opaque token starts with, so that people and secret scanners can tell them apart. */
export const TOKEN_PREFIXES = { personal: 'tapi_pat_', refresh: 'tapi_rt_' } as const

/**
 * A new opaque token: 32 random bytes (256 bits), URL-safe, after its prefix.
 * Only its hash is stored.
 */
export function newOpaqueToken (kind: keyof typeof TOKEN_PREFIXES): { token: string, tokenHash: string } {
  const token = TOKEN_PREFIXES[kind] + randomBytes(32).toString('base64url')
  return { token, tokenHash: opaqueTokenHash(token) }
}

/**
 * How a token is stored and looked up: SHA-256. A fast hash is enough for
 * 256 random bits (there is nothing to guess), and lets a request find its
 * token by one indexed lookup.
 */
export function opaqueTokenHash (token: string): string {
  return hash('sha256', token, 'base64url')
}
