import { randomUUID } from 'node:crypto'
import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { accessTokenClaims } from '../../auth/access-token.js'
import { newOpaqueToken, opaqueTokenHash } from '../../auth/opaque-tokens.js'
import { grantedScopes, parseScopeParameter, scopesOfRole } from '../../auth/scopes.js'
import type { StoredUser } from '../../db/user-repository.js'
import { OAuthError } from '../../problems/oauth-error.js'
import { PROBLEM_CONTENT_TYPE } from '../../problems/problem-reply.js'
import { problemResponses } from '../../problems/problem-responses.js'
import { validationProblem } from '../../problems/validation-problem.js'
import { Problem } from '../../schemas/problem.js'
import { OAuthError as OAuthErrorSchema, TokenRequest, TokenResponse, type Scope } from '../../schemas/token.js'
import { Ref } from '../../schemas/type-helpers.js'

export interface IssueTokenOptions {
  /** REFRESH_TOKEN_TTL_SECONDS */
  refreshTokenTtlSeconds: number
  /** ACCESS_TOKEN_TTL_SECONDS, for `expires_in` (the JWT plugin signs with it). */
  accessTokenTtlSeconds: number
}

const FORM = 'application/x-www-form-urlencoded'

const issueToken: FastifyPluginAsyncTypebox<IssueTokenOptions> = async (fastify, { refreshTokenTtlSeconds, accessTokenTtlSeconds }) => {
  /** An access token and a refresh token, as RFC 6749 section 5.1 sends them. */
  const tokens = (reply: FastifyReply, user: StoredUser, scopes: Scope[], refreshToken: string) => {
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache')
    return {
      access_token: fastify.jwt.sign(accessTokenClaims(user.id, scopes, user.credentialsGeneration)),
      token_type: 'Bearer' as const,
      expires_in: accessTokenTtlSeconds,
      refresh_token: refreshToken,
      scope: scopes.join(' ')
    }
  }

  const signIn = async (request: FastifyRequest, reply: FastifyReply, form: TokenRequest, asked: Scope[] | undefined) => {
    const username = required(form, 'username').toLowerCase()
    const password = required(form, 'password')
    const user = await fastify.db.users.findByUsername(username)
    // The hash is checked even for an unknown or disabled user (against none
    // that can match), so the answer takes as long and counts as a failure.
    const matches = await fastify.checkPassword(username, request.ip, user?.disabled === true ? null : user?.passwordHash, password)
    if (!matches || user === undefined) throw new OAuthError('invalid_grant', 'The username or password is wrong, or the user is disabled.')
    const now = Date.now()
    const scopes = grantedScopes(asked ?? scopesOfRole(user.role), scopesOfRole(user.role))
    if (scopes.length === 0) throw new OAuthError('invalid_scope', `None of the scopes asked for can be granted to ${user.username}.`)
    const refresh = newOpaqueToken('refresh')
    await fastify.db.tokens.createRefresh({
      userId: user.id,
      family: randomUUID(),
      tokenHash: refresh.tokenHash,
      scopes,
      credentialsGeneration: user.credentialsGeneration,
      expiresAt: now + refreshTokenTtlSeconds * 1000
    }, now)
    return tokens(reply, user, scopes, refresh.token)
  }

  const refresh = async (reply: FastifyReply, form: TokenRequest, asked: Scope[] | undefined) => {
    const old = required(form, 'refresh_token')
    const now = Date.now()
    const replacement = newOpaqueToken('refresh')
    const grant = await fastify.db.tokens.exchangeRefresh(
      opaqueTokenHash(old),
      { tokenHash: replacement.tokenHash, expiresAt: now + refreshTokenTtlSeconds * 1000 },
      asked ?? [],
      now)
    if (grant === 'invalid-scope') throw new OAuthError('invalid_scope', 'A refresh can only ask for scopes the refresh token was granted.')
    if (typeof grant === 'string') {
      throw new OAuthError('invalid_grant', grant === 'reused'
        ? 'This refresh token was already used: every token that came from the same sign-in is now revoked. Sign in again.'
        : 'The refresh token is unknown, expired or revoked, or its user was disabled or changed password since.')
    }
    const scopes = grantedScopes(asked ?? grant.scopes, scopesOfRole(grant.user.role))
    return tokens(reply, grant.user, scopes, replacement.token)
  }

  fastify.post('/token', {
    config: { access: 'public' },
    preValidation: requireForm,
    // The handler turns an invalid form into an RFC 6749 error.
    attachValidation: true,
    schema: {
      operationId: 'issueToken',
      summary: 'Sign in, or refresh tokens',
      description: 'The OAuth 2.0 token endpoint (RFC 6749): `grant_type=password` with `username` and `password` (section 4.3) signs in; `grant_type=refresh_token` with `refresh_token` (section 6) exchanges a refresh token, once, for new tokens. Send the fields form-encoded. Answers with a short-lived JWT access token and a refresh token; errors are RFC 6749 section 5.2 objects (which are also problem details). Repeated failed sign-ins for a username or from an address are refused for a while with a 429.',
      tags: ['Authentication'],
      consumes: [FORM],
      body: Ref(TokenRequest),
      response: {
        200: Ref(TokenResponse, {
          description: 'The tokens.',
          headers: { 'Cache-Control': Type.Literal('no-store'), Pragma: Type.Literal('no-cache') }
        }),
        400: {
          description: 'The request, the grant or the scope is not valid (RFC 6749 section 5.2); or the body is not valid JSON or form data (a problem).',
          content: { 'application/json': { schema: Ref(OAuthErrorSchema) }, [PROBLEM_CONTENT_TYPE]: { schema: Ref(Problem) } }
        },
        ...problemResponses('payload-too-large', 'unsupported-media-type', 'login-throttled', 'rate-limited')
      }
    }
  }, async (request, reply) => {
    if (request.validationError !== undefined) throw invalidForm(request.validationError)
    const form = request.body
    const scope = form.scope === undefined ? undefined : parseScopeParameter(form.scope)
    if (scope !== undefined && 'unknown' in scope) throw new OAuthError('invalid_scope', `Unknown scope: ${scope.unknown.join(', ')}.`)
    // An empty `scope` asks for nothing in particular: every scope allowed.
    const asked = scope === undefined || scope.scopes.length === 0 ? undefined : scope.scopes
    return form.grant_type === 'password' ? signIn(request, reply, form, asked) : refresh(reply, form, asked)
  })
}

/** A field the grant type needs. */
function required (form: TokenRequest, field: 'username' | 'password' | 'refresh_token'): string {
  const value = form[field]
  if (value === undefined || value === '') {
    throw new OAuthError('invalid_request', `${field} is required with grant_type=${form.grant_type}.`, [{ pointer: `#/${field}`, detail: 'is required' }])
  }
  return value
}

/** RFC 6749 section 4.3.2: the token request is form-encoded. */
async function requireForm (request: FastifyRequest): Promise<void> {
  if (!request.headers['content-type']?.toLowerCase().startsWith(FORM)) {
    throw new OAuthError('invalid_request', `Send the token request as ${FORM}.`)
  }
}

/** The validation errors of the form as an RFC 6749 error; a grant type this API does not know has a code of its own. */
function invalidForm (error: NonNullable<FastifyRequest['validationError']>): OAuthError {
  const problem = validationProblem('body', error.validation)
  const grantType = problem.errors?.some((fieldError) => fieldError.pointer === '#/grant_type' && fieldError.detail.startsWith('must be one of'))
  return new OAuthError(grantType === true ? 'unsupported_grant_type' : 'invalid_request', problem.detail, problem.errors)
}

export default issueToken
