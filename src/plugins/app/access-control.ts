import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { LoginThrottleOptions } from '../../auth/login-throttle.js'
import jwtPlugin from '../external/jwt.js'
import authenticationPlugin from './authentication.js'
import expiredTokenPurgePlugin from './expired-token-purge.js'
import firstAdministratorPlugin from './first-administrator.js'
import passwordCheckPlugin from './password-check.js'

export interface AccessControlOptions {
  /** AUTH */
  mode: 'on' | 'off'
  /** JWT_SECRET */
  jwtSecret: string
  /** ACCESS_TOKEN_TTL_SECONDS */
  accessTokenTtlSeconds: number
  /** REFRESH_TOKEN_TTL_SECONDS */
  refreshTokenTtlSeconds: number
  loginThrottle: LoginThrottleOptions
}

/**
 * Who is asking, and what they may do: signing and checking tokens, slowing
 * password guessing, the check every route registered after this makes,
 * the first administrator, and forgetting expired tokens.
 */
async function accessControl (fastify: FastifyInstance, options: AccessControlOptions) {
  await fastify.register(jwtPlugin, { secret: options.jwtSecret, ttlSeconds: options.accessTokenTtlSeconds })
  await fastify.register(passwordCheckPlugin, options.loginThrottle)
  await fastify.register(authenticationPlugin, { mode: options.mode })
  await fastify.register(firstAdministratorPlugin, { mode: options.mode })
  await fastify.register(expiredTokenPurgePlugin, { refreshTokenTtlSeconds: options.refreshTokenTtlSeconds })
}

export default fp(accessControl, { name: 'access-control', dependencies: ['database'] })
