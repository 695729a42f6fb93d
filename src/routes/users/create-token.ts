import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { newOpaqueToken } from '../../auth/opaque-tokens.js'
import { grantedScopes } from '../../auth/scopes.js'
import { timestampOf } from '../../db/iso-timestamp.js'
import type { StoredUser } from '../../db/user-repository.js'
import { principalOf } from '../../plugins/app/authentication.js'
import { ProblemError } from '../../problems/problem-error.js'
import { problemResponses } from '../../problems/problem-responses.js'
import { bodyFieldProblem } from '../../problems/validation-problem.js'
import { PersonalTokenCreate, PersonalTokenCreated } from '../../schemas/token.js'
import { Ref } from '../../schemas/type-helpers.js'
import { trimFields } from '../trim-fields.js'
import { shownToken } from './shown-token.js'

const createToken: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post('/me/tokens', {
    config: { access: 'signed-in' },
    preValidation: trimFields('name'),
    schema: {
      operationId: 'createPersonalToken',
      summary: 'Create a personal access token',
      description: 'A token for scripts, sent as `Authorization: Bearer tapi_pat_...`. It holds the scopes asked for that you may have and that the token you call with holds, works until `expires_at` (or until deleted), and stops working when you change your password or are disabled. The token is in this answer only: it is stored hashed.',
      tags: ['Users'],
      body: Ref(PersonalTokenCreate),
      response: {
        201: Ref(PersonalTokenCreated, { description: 'The token, shown this once.' }),
        ...problemResponses('malformed-json', 'token-limit-reached', 'payload-too-large', 'unsupported-media-type', 'validation', 'rate-limited')
      }
    }
  }, async (request, reply) => {
    const { name, scopes: asked, expires_at: expiresAtText } = request.body
    const principal = principalOf(request)
    const now = Date.now()
    const expiresAt = expiresAtText === undefined || expiresAtText === null ? null : timestampOf(expiresAtText)
    if (expiresAt !== null && !(expiresAt > now)) throw bodyFieldProblem('expires_at', 'must be a time in the future')
    const scopes = grantedScopes(asked, [...principal.scopes])
    if (scopes.length === 0) throw bodyFieldProblem('scopes', `holds no scope you may give: your token holds ${[...principal.scopes].join(', ')}`)
    const user = await fastify.db.users.findById(principal.userId) as StoredUser
    const { token, tokenHash } = newOpaqueToken('personal')
    const created = await fastify.db.tokens.createPersonal({
      userId: user.id,
      name,
      tokenHash,
      scopes,
      credentialsGeneration: user.credentialsGeneration,
      expiresAt
    }, now)
    if (created === 'limit-reached') {
      throw new ProblemError('token-limit-reached', 'You hold as many personal access tokens as one user may (100); delete one first.')
    }
    return reply.code(201).send({ ...shownToken(created), token })
  })
}

export default createToken
