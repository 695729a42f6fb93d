import { hkdfSync, randomBytes } from 'node:crypto'
import fp from 'fastify-plugin'
import secureSession from '@fastify/secure-session'
import type { FastifyInstance } from 'fastify'

declare module '@fastify/secure-session' {
  interface SessionData {
    /** Who signed in (AUTH=on), and the user's credentials and session generations then: a password change, or signing out anywhere, ends the session. */
    userId: number
    generation: number
    sessions: number
  }
}

export interface SessionOptions {
  /** SESSION_SECRET; empty: a secret generated once and kept in the database, shared by every instance. */
  secret: string
  /** SESSION_TTL_SECONDS */
  ttlSeconds: number
}

/** Cookie of the web pages' session; it is sent only to them, never to the API. */
const SESSION_COOKIE = 'task_api_session'
const SESSION_COOKIE_PATH = '/web'

/**
 * The web pages' session (`request.session`): a cookie encrypted and
 * authenticated with a key of this server's (no session store, so any
 * instance reads it), holding who signed in, the CSRF secret and the flash
 * message. HttpOnly, SameSite=Lax, Secure when the request came over HTTPS.
 * It expires SESSION_TTL_SECONDS after it last changed, which every page
 * does (reading the flash messages), so a sign-in lasts while it is used.
 */
async function pageSession (fastify: FastifyInstance, { secret, ttlSeconds }: SessionOptions) {
  const stored = secret !== '' ? secret : await fastify.db.secrets.getOrCreate('session', randomBytes(32).toString('base64url'))
  // A key of its own for this use, whatever else the secret is used for.
  const key = Buffer.from(hkdfSync('sha256', stored, '', 'task-api web session', 32))
  await fastify.register(secureSession, {
    key,
    cookieName: SESSION_COOKIE,
    expiry: ttlSeconds,
    cookie: { path: SESSION_COOKIE_PATH, httpOnly: true, sameSite: 'lax', secure: 'auto', maxAge: ttlSeconds }
  })
}

export default fp(pageSession, { name: 'page-session', dependencies: ['database'] })
