import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { LoginThrottle, type LoginThrottleOptions } from '../../auth/login-throttle.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Counts failed password checks (signing in, changing a password) per username and client IP. */
    loginThrottle: LoginThrottle
  }
}

/** One throttle for every place a password is checked, so guesses spread over them add up. */
async function loginThrottle (fastify: FastifyInstance, options: LoginThrottleOptions) {
  fastify.decorate('loginThrottle', new LoginThrottle(options))
}

export default fp(loginThrottle, { name: 'login-throttle' })
