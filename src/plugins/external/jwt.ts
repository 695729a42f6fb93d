import { randomBytes } from 'node:crypto'
import fp from 'fastify-plugin'
import jwt from '@fastify/jwt'
import type { FastifyInstance } from 'fastify'
import { TOKEN_ISSUER } from '../../auth/access-token.js'

export interface JwtOptions {
  /** JWT_SECRET; empty: a key generated once and kept in the database. */
  secret: string
  /** ACCESS_TOKEN_TTL_SECONDS */
  ttlSeconds: number
}

/**
 * Signs and verifies access tokens (`fastify.jwt`): HS256 only, so a token
 * claiming `none` or another algorithm (an RSA public key used as an HMAC
 * secret, say) is refused, as are bad signatures, other issuers or
 * audiences, and tokens expired or not yet valid. (The authentication
 * plugin remembers the tokens it verified.)
 */
async function accessTokenSigning (fastify: FastifyInstance, { secret, ttlSeconds }: JwtOptions) {
  const key = secret !== '' ? secret : await fastify.db.secrets.getOrCreate('jwt', randomBytes(32).toString('base64url'))
  await fastify.register(jwt, {
    secret: key,
    sign: { algorithm: 'HS256', iss: TOKEN_ISSUER, aud: TOKEN_ISSUER, expiresIn: ttlSeconds },
    verify: { algorithms: ['HS256'], allowedIss: TOKEN_ISSUER, allowedAud: TOKEN_ISSUER, requiredClaims: ['exp', 'iat'] }
  })
}

export default fp(accessTokenSigning, { name: 'jwt', dependencies: ['database'] })
