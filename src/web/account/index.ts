import type { FastifyPluginAsync } from 'fastify'
import signInPage from './sign-in-page.js'
import signOutRoute from './sign-out.js'
import signUpPage from './sign-up-page.js'

export interface AccountPagesOptions {
  /** REGISTRATION: with `open`, the sign-up form is there. */
  registration: 'admin' | 'open'
}

/** Signing in and out, and signing up (AUTH=on only: with AUTH=off, nobody signs in). */
const accountPages: FastifyPluginAsync<AccountPagesOptions> = async (fastify, { registration }) => {
  await fastify.register(signInPage, { registration })
  await fastify.register(signOutRoute)
  if (registration === 'open') await fastify.register(signUpPage)
}

export default accountPages
