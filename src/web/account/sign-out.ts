import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { signOut } from '../page-session.js'
import { WEB_PREFIX } from '../web-prefix.js'

/** Sign-out: a POST (a link could be followed by anything), which ends the user's page sessions and goes to the sign-in form. */
const signOutRoute: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post('/sign-out', { config: { access: 'public', signedOut: true }, schema: { hide: true } }, async (request, reply) => {
    await signOut(fastify.db, request)
    request.flash('success', 'Signed out.')
    return reply.redirect(`${WEB_PREFIX}/sign-in`, 303)
  })
}

export default signOutRoute
