import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { purgeInBackground } from './background-purge.js'

export interface ExpiredTokenPurgeOptions {
  /** REFRESH_TOKEN_TTL_SECONDS: no token lives longer unused, so purging more often finds nothing new. */
  refreshTokenTtlSeconds: number
}

// Expired tokens only take room (they are refused either way): forgotten at most this often.
const PURGE_INTERVAL_MS = 3_600_000

/** Forgets expired refresh and personal access tokens now and then. */
async function expiredTokenPurge (fastify: FastifyInstance, { refreshTokenTtlSeconds }: ExpiredTokenPurgeOptions) {
  purgeInBackground(fastify, 'tokens', Math.min(refreshTokenTtlSeconds * 1000, PURGE_INTERVAL_MS), async () => fastify.db.tokens.purgeExpired(Date.now()))
}

export default fp(expiredTokenPurge, { name: 'expired-token-purge', dependencies: ['database'] })
