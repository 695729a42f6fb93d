import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { LOCAL_PRINCIPAL, userPrincipal, type Principal } from '../auth/principal.js'
import { scopesOfRole } from '../auth/scopes.js'
import { LOCAL_USER_ID } from '../db/local-user.js'
import type { Database } from '../db/database.js'
import type { StoredUser } from '../db/user-repository.js'
import type { TaskStatus } from '../schemas/task.js'
import { WEB_PREFIX } from './web-prefix.js'

declare module 'fastify' {
  interface FastifyReply {
    /** What @fastify/view gives every template of the request, beside the template's own data. */
    locals: Record<string, unknown>
  }
  interface FastifyContextConfig {
    /** A page anyone may open without signing in (sign-in, sign-up, the style sheet). */
    signedOut?: boolean
  }
}

export interface PageSessionOptions {
  /** AUTH: with `off`, every page acts as the built-in local user. */
  mode: 'on' | 'off'
}

/** What every page's template is given, beside its own data. */
interface PageContext {
  /** Who is signed in; null on the sign-in and sign-up pages. */
  viewer: Principal | null
  /** Whether people sign in (AUTH=on): with AUTH=off there is no sign-out. */
  signsIn: boolean
  /** The CSRF token every form of the page carries. */
  csrf: string
  /** The one-time messages of this kind, taken from the session. */
  flash: (kind: FlashKind) => string[]
  asset: (file: string) => string
  /** How a task status reads on a page: `in_progress` is "In progress". */
  statusLabel: (status: TaskStatus) => string
}

type FlashKind = 'success' | 'error'

/**
 * Who a page request is from: with AUTH=off, the built-in local user; with
 * AUTH=on, the user the session cookie names, while that user is enabled
 * and has neither changed password (as with tokens) nor signed out since
 * signing in. Someone not signed in is sent to the sign-in page, which
 * brings them back.
 */
async function pageSession (fastify: FastifyInstance, { mode }: PageSessionOptions) {
  fastify.addHook('onRequest', async (request, reply) => {
    if (mode === 'off') {
      request.principal = LOCAL_PRINCIPAL
      return
    }
    request.principal = await sessionPrincipal(fastify, request)
    // An address with no page is a 404 for anyone, not a sign-in first.
    if (request.principal !== null || request.routeOptions.config.signedOut === true || request.is404) return
    const next = request.method === 'GET' ? `?next=${encodeURIComponent(request.url)}` : ''
    return reply.redirect(`${WEB_PREFIX}/sign-in${next}`, 303)
  })

  fastify.addHook('preHandler', async (request, reply) => {
    const context: PageContext = {
      viewer: request.principal,
      signsIn: mode === 'on',
      csrf: reply.generateCsrf(),
      flash: (kind) => reply.flash(kind) as string[],
      asset: (file) => fastify.assetUrl(file),
      statusLabel
    }
    reply.locals = { ...reply.locals, ...context }
  })
}

function statusLabel (status: TaskStatus): string {
  return status.charAt(0).toUpperCase() + status.slice(1).replace('_', ' ')
}

/** The principal of the session's user, or null when nobody (or nobody who still may) signed in. */
async function sessionPrincipal (fastify: FastifyInstance, request: FastifyRequest): Promise<Principal | null> {
  const userId = request.session.get('userId')
  if (userId === undefined) return null
  const user = await fastify.db.users.findById(userId)
  if (!mayUseSession(user, request.session.get('generation'), request.session.get('sessions'))) {
    request.session.delete()
    return null
  }
  return userPrincipal(user, scopesOfRole(user.role))
}

function mayUseSession (user: StoredUser | undefined, generation: number | undefined, sessions: number | undefined): user is StoredUser {
  return user !== undefined && !user.disabled && user.credentialsGeneration === generation && user.sessionGeneration === sessions && user.id !== LOCAL_USER_ID
}

/** Signs `user` in: a new session (and with it a new CSRF secret), so nothing of the one before carries over. */
export function signIn (request: FastifyRequest, user: StoredUser): void {
  request.session.regenerate()
  request.session.set('userId', user.id)
  request.session.set('generation', user.credentialsGeneration)
  request.session.set('sessions', user.sessionGeneration)
}

/**
 * Signs the request's user out: of every web page session they have (the
 * cookie holds the session, so a copy of it would otherwise still work
 * until it expires), not of their tokens. A new, empty session takes this
 * one's place (it may carry a flash message).
 */
export async function signOut (db: Database, request: FastifyRequest): Promise<void> {
  if (request.principal !== null) await db.users.endSessions(request.principal.userId)
  request.session.regenerate()
}

export default fp(pageSession, { name: 'page-session-principal', dependencies: ['page-session', 'csrf-protection', 'flash', 'web-assets'] })
