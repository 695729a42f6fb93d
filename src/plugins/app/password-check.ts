import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { LoginThrottle, type LoginThrottleOptions } from '../../auth/login-throttle.js'
import { verifyPassword } from '../../auth/passwords.js'
import { ProblemError } from '../../problems/problem-error.js'

/**
 * Whether `password` is the one `stored` was made from (null or undefined:
 * no password that can match), for `username` asking from `ip`. A wrong one
 * counts against both; while either has too many, the answer is a 429
 * problem with Retry-After and nothing is checked. A right one clears the
 * username's count.
 */
export type PasswordCheck = (username: string, ip: string, stored: string | null | undefined, password: string) => Promise<boolean>

declare module 'fastify' {
  interface FastifyInstance {
    checkPassword: PasswordCheck
  }
}

/** One throttle for every place a password is checked (signing in, changing it), so guesses spread over them add up. */
async function passwordCheck (fastify: FastifyInstance, options: LoginThrottleOptions) {
  const throttle = new LoginThrottle(options, fastify.redis)
  fastify.decorate<PasswordCheck>('checkPassword', async (username, ip, stored, password) => {
    const now = Date.now()
    const retryAfter = await throttle.retryAfterSeconds(username, ip, now)
    if (retryAfter > 0) {
      throw new ProblemError('login-throttled', `Too many wrong passwords for this username or from this address; try again in ${retryAfter} seconds.`, undefined, retryAfter)
    }
    const matches = await verifyPassword(stored, password)
    if (matches) await throttle.succeeded(username)
    else await throttle.failed(username, ip, now)
    return matches
  })
}

export default fp(passwordCheck, { name: 'password-check', dependencies: ['redis'] })
