import formBody from '@fastify/formbody'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import issueToken, { type IssueTokenOptions } from './issue-token.js'

/** Signing in: register with the prefix `/auth`. Only here are form-encoded bodies read (RFC 6749 requires them). */
const auth: FastifyPluginAsyncTypebox<IssueTokenOptions> = async (fastify, { accessTokenTtlSeconds, refreshTokenTtlSeconds }) => {
  await fastify.register(formBody)
  // Only the route's own options: passing the prefix on would nest it.
  await fastify.register(issueToken, { accessTokenTtlSeconds, refreshTokenTtlSeconds })
}

export default auth
