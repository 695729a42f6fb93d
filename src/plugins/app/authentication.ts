import fp from 'fastify-plugin'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler, RouteOptions } from 'fastify'
import { LRUCache } from 'lru-cache'
import { accessGrantOf, accessTokenClaims, type AccessGrant, type AccessTokenClaims } from '../../auth/access-token.js'
import { TOKEN_PREFIXES, opaqueTokenHash } from '../../auth/opaque-tokens.js'
import { LOCAL_PRINCIPAL, userPrincipal, type Principal } from '../../auth/principal.js'
import { LOCAL_USER_ID } from '../../db/local-user.js'
import type { StoredUser } from '../../db/user-repository.js'
import { ProblemError } from '../../problems/problem-error.js'
import { withProblems } from '../../problems/problem-responses.js'
import type { Scope } from '../../schemas/token.js'

/**
 * Who may call a route: anyone, without even looking at a token (`public`);
 * anyone, but a token is read when one is sent (`optional`); any signed-in
 * user (`signed-in`, the default); or a user whose token holds a scope.
 */
export type RouteAccess = 'public' | 'optional' | 'signed-in' | Scope

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess
  }
  interface FastifyRequest {
    /** Who the request is from; null on public routes, and on optional ones without a token. */
    principal: Principal | null
  }
  interface FastifyInstance {
    /**
     * Who the request is from now, by the credential it came with: for a
     * connection that stays open (a WebSocket), whose user may since have
     * been disabled, demoted or changed password, or whose token may have
     * expired or been revoked. Throws the 401 ProblemError a new request
     * with that credential would get.
     */
    principalNow (request: FastifyRequest): Promise<Principal>
    /** A socket ticket for the request's principal (see POST /ws/tickets): good for SOCKET_TICKET_TTL_SECONDS, once. */
    socketTicket (request: FastifyRequest): Promise<string>
  }
}

export interface AuthenticationOptions {
  /** AUTH: with `off`, a request without a token is the built-in local administrator. */
  mode: 'on' | 'off'
}

const REALM = 'task-api'
// Access tokens in use at once, whose verification is remembered.
const VERIFIED_TOKENS = 10_000
// RFC 6750 section 2.1: `Bearer` and a token of these characters.
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i
// A browser cannot set headers on a WebSocket: it offers the token as a
// subprotocol `bearer.<token>` (see the WebSocket route), or a ticket.
const SOCKET_BEARER_PREFIX = 'bearer.'
/** Who socket tickets are for: a ticket is never an access token, nor the reverse. */
const SOCKET_TICKET_AUDIENCE = 'task-api/ws'
export const SOCKET_TICKET_TTL_SECONDS = 30
// Tickets used in this process, each refused the second time until it expires.
const USED_TICKETS = 10_000

/** The principal of a request that reached a route other than a public one. */
export function principalOf (request: FastifyRequest): Principal {
  if (request.principal === null) throw new Error(`${request.method} ${request.url} reached its handler without a principal`)
  return request.principal
}

/**
 * Decides once per request who it is from. Each route says who may call it
 * in `config.access`; from that, this plugin gives the route a hook that
 * reads its bearer token (a JWT access token or a personal access token),
 * puts the principal on the request and checks the route's scope, and
 * documents the route's security and its 401 and 403 answers in OpenAPI.
 * A token works only while its user is enabled and has not changed their
 * password since it was issued: both are checked on every request.
 */
async function authentication (fastify: FastifyInstance, { mode }: AuthenticationOptions) {
  fastify.decorateRequest('principal', null)

  // Access tokens verified before, by their own text, which no other token
  // has: what one says holds until it expires, so its signature is not
  // checked again on every request it makes. (Whether its user may still
  // use it is read on every request all the same.)
  const verified = new LRUCache<string, AccessGrant>({ max: VERIFIED_TOKENS })
  const verifiedGrant = (token: string): AccessGrant | undefined => {
    const known = verified.get(token)
    if (known !== undefined && known.expiresAt > Date.now()) return known
    let grant
    try {
      grant = accessGrantOf(fastify.jwt.verify(token))
    } catch (error) {
      throw invalidToken((error as { code?: string }).code === 'FAST_JWT_EXPIRED' ? 'The access token has expired; get a new one.' : 'The access token is not valid.')
    }
    if (grant !== undefined) verified.set(token, grant)
    return grant
  }
  // The principal each grant last made, with the user it was made from: the
  // same user object (the repository may hand back the one it read before)
  // makes the same principal.
  const principals = new WeakMap<AccessGrant, { user: StoredUser, principal: Principal }>()
  const principalOfGrant = (grant: AccessGrant, user: StoredUser): Principal => {
    const last = principals.get(grant)
    if (last?.user === user) return last.principal
    const made = principal(user, grant.scopes)
    principals.set(grant, { user, principal: made })
    return made
  }

  /** The principal of a bearer token, and when the token expires (null: never). */
  const principalOfToken = async (token: string): Promise<Authority> => {
    if (token.startsWith(TOKEN_PREFIXES.personal)) {
      const found = await fastify.db.tokens.findPersonal(opaqueTokenHash(token), Date.now())
      if (found === undefined) throw invalidToken('The personal access token is unknown, expired or revoked, or its user was disabled or changed password since.')
      return { principal: principal(found.user, found.token.scopes), expiresAt: found.token.expiresAt }
    }
    const grant = verifiedGrant(token)
    const user = grant === undefined ? undefined : await fastify.db.users.findById(grant.userId)
    if (grant === undefined || user === undefined || user.disabled || user.credentialsGeneration !== grant.generation) {
      throw invalidToken('The access token is no longer valid: its user was disabled or changed password since.')
    }
    return { principal: principalOfGrant(grant, user), expiresAt: grant.expiresAt }
  }

  // Socket tickets already used here: a ticket opens one connection.
  const usedTickets = new LRUCache<string, true>({ max: USED_TICKETS, ttl: SOCKET_TICKET_TTL_SECONDS * 1000 })
  /** How to make the principal of a socket ticket, now and again while its connection is open. */
  const ticketCredential = (ticket: string): Credential => {
    let claims: SocketTicketClaims
    try {
      claims = fastify.jwt.verify<SocketTicketClaims>(ticket, { allowedAud: SOCKET_TICKET_AUDIENCE })
    } catch {
      throw invalidToken('The socket ticket is not valid, or has expired: get a new one from POST /ws/tickets.')
    }
    const grant = accessGrantOf(claims)
    if (grant === undefined || usedTickets.has(ticket)) throw invalidToken('The socket ticket was used already: get a new one from POST /ws/tickets.')
    usedTickets.set(ticket, true)
    const { until } = claims
    return async () => {
      if (until !== null && until <= Date.now()) throw invalidToken('The token this socket ticket was issued for has expired; get a new one.')
      const user = await fastify.db.users.findById(grant.userId)
      if (user === undefined || user.disabled || user.credentialsGeneration !== grant.generation) {
        throw invalidToken('The socket ticket is no longer valid: its user was disabled or changed password since.')
      }
      return { principal: principal(user, grant.scopes), expiresAt: until }
    }
  }

  /**
   * How the request says who it is from: its Authorization header; on a
   * WebSocket upgrade, also a `bearer.<token>` subprotocol or a `ticket`
   * query parameter. Undefined when it sends none.
   */
  const credentialOf = (request: FastifyRequest): Credential | undefined => {
    const header = request.headers.authorization
    if (header !== undefined) {
      const token = BEARER.exec(header)?.[1]
      if (token === undefined) throw invalidToken('The Authorization header must be `Bearer <token>`.')
      return () => principalOfToken(token)
    }
    if (!request.ws) return undefined
    const offered = request.headers['sec-websocket-protocol']?.split(',').map((protocol) => protocol.trim()).find((protocol) => protocol.startsWith(SOCKET_BEARER_PREFIX))
    if (offered !== undefined) return () => principalOfToken(offered.slice(SOCKET_BEARER_PREFIX.length))
    const { ticket } = request.query as { ticket?: unknown }
    return typeof ticket === 'string' ? ticketCredential(ticket) : undefined
  }

  /** The user as a principal, with the token's scopes that the user's role still allows. */
  const principal = (user: StoredUser, scopes: readonly Scope[]): Principal => {
    // The local user exists for AUTH=off; with AUTH=on nobody may act as it.
    if (mode === 'on' && user.id === LOCAL_USER_ID) throw invalidToken('Tokens of the built-in local user work only with AUTH=off.')
    return userPrincipal(user, scopes)
  }

  // How each authenticated request's principal is made again (principalNow), and when its credential expires.
  const authorities = new WeakMap<FastifyRequest, { credential: Credential, expiresAt: number | null }>()
  const localAuthority = async (): Promise<Authority> => ({ principal: LOCAL_PRINCIPAL, expiresAt: null })

  const authenticate = async (request: FastifyRequest, reply: FastifyReply, access: Exclude<RouteAccess, 'public'>) => {
    try {
      const credential = credentialOf(request) ?? (mode === 'off' ? localAuthority : undefined)
      if (credential === undefined) {
        if (access !== 'optional') {
          reply.header('www-authenticate', `Bearer realm="${REALM}"`)
          throw new ProblemError('authentication-required', 'This needs a bearer token: send `Authorization: Bearer <token>` (get one from POST /auth/token).')
        }
      } else {
        const authority = await credential()
        request.principal = authority.principal
        authorities.set(request, { credential, expiresAt: authority.expiresAt })
      }
    } catch (error) {
      if (error instanceof ProblemError && error.kind === 'invalid-token') {
        reply.header('www-authenticate', `Bearer realm="${REALM}", error="invalid_token", error_description="${error.detail.replaceAll('`', '\'')}"`)
      }
      throw error
    }
    if (access !== 'optional' && access !== 'signed-in' && !request.principal?.scopes.has(access)) {
      reply.header('www-authenticate', `Bearer realm="${REALM}", error="insufficient_scope", scope="${access}"`)
      throw new ProblemError('insufficient-scope', `This needs a token with the scope ${access}, which yours does not hold.`)
    }
  }

  /** The authority a request was authenticated with. */
  const authorityOf = (request: FastifyRequest) => {
    const authority = authorities.get(request)
    if (authority === undefined) throw new Error(`${request.method} ${request.url} was not authenticated`)
    return authority
  }

  fastify.decorate('principalNow', async (request: FastifyRequest) => (await authorityOf(request).credential()).principal)
  fastify.decorate('socketTicket', async (request: FastifyRequest) => {
    const { userId, scopes } = principalOf(request)
    const user = await fastify.db.users.findById(userId)
    if (user === undefined) throw new Error(`user ${userId} of ${request.method} ${request.url} is gone`)
    const claims: SocketTicketClaims = { ...accessTokenClaims(userId, [...scopes], user.credentialsGeneration), until: authorityOf(request).expiresAt }
    return fastify.jwt.sign(claims, { aud: SOCKET_TICKET_AUDIENCE, expiresIn: SOCKET_TICKET_TTL_SECONDS })
  })

  fastify.addHook('onRoute', (route) => {
    const access = route.config?.access ?? 'signed-in'
    route.schema = { ...route.schema, security: security(access, mode) }
    if (access === 'public') return
    route.schema.response = withProblems(
      route.schema.response as Record<string, unknown> | undefined ?? {},
      access === 'optional' || access === 'signed-in' ? ['authentication-required', 'invalid-token'] : ['authentication-required', 'invalid-token', 'insufficient-scope'],
      { 'WWW-Authenticate': Type.String({ description: 'RFC 6750: why the token was refused, or the scope it lacks.' }) }
    )
    const hook: onRequestHookHandler = (request, reply, done) => {
      authenticate(request, reply, access).then(() => done(), done)
    }
    route.onRequest = [...[route.onRequest ?? []].flat(), hook] as RouteOptions['onRequest']
  })
}

/** Who a credential is, as of now, and until when (ms since the epoch; null: no end). */
interface Authority {
  principal: Principal
  expiresAt: number | null
}

/** Makes the authority of a credential a request came with; throws the 401 ProblemError when it is not (or no longer) good. */
type Credential = () => Promise<Authority>

/** A socket ticket's claims: an access token's, for another audience, and when the token it was issued for expires. */
interface SocketTicketClaims extends AccessTokenClaims {
  until: number | null
}

function invalidToken (detail: string): ProblemError {
  return new ProblemError('invalid-token', detail)
}

/** The OpenAPI security requirement of a route: its scope, by either scheme; with AUTH=off, none is needed. */
function security (access: RouteAccess, mode: AuthenticationOptions['mode']) {
  if (access === 'public') return []
  const scopes = access === 'optional' || access === 'signed-in' ? [] : [access]
  const anonymous = mode === 'off' || access === 'optional' ? [{}] : []
  return [...anonymous, { oauth2: scopes }, { bearerAuth: scopes }]
}

export default fp(authentication, { name: 'authentication', dependencies: ['database', 'jwt'] })
