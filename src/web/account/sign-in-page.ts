import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply } from 'fastify'
import { ProblemError } from '../../problems/problem-error.js'
import { pageUrl } from '../back-url.js'
import { formText } from '../form-text.js'
import type { FieldErrors } from '../form-validation.js'
import { signIn } from '../page-session.js'
import { renderPage } from '../render-page.js'
import { WEB_PREFIX } from '../web-prefix.js'

export interface SignInPageOptions {
  /** REGISTRATION: with `open`, the form links to the sign-up form. */
  registration: 'admin' | 'open'
}

const HOME = `${WEB_PREFIX}/tasks`

/**
 * The sign-in form (AUTH=on) and its POST: the password is checked as
 * POST /auth/token checks it, counted by the same throttle; then a new
 * session, and back to the page that asked for it (`next`). The username is
 * kept when the form comes back, never the password.
 */
const signInPage: FastifyPluginAsyncTypebox<SignInPageOptions> = async (fastify, { registration }) => {
  const renderForm = async (reply: FastifyReply, username: string, next: string, errors: FieldErrors = {}, status = 200) =>
    renderPage(reply, 'sign-in', { title: 'Sign in', username, next, errors, signUp: registration === 'open' }, status)

  fastify.get('/sign-in', {
    config: { access: 'public', signedOut: true },
    schema: { hide: true, querystring: Type.Object({ next: Type.Optional(Type.String()) }) }
  }, async (request, reply) => {
    const next = pageUrl(request.query.next ?? '', HOME)
    if (request.principal !== null) return reply.redirect(next, 303)
    return renderForm(reply, '', next)
  })

  fastify.post('/sign-in', { config: { access: 'public', signedOut: true }, schema: { hide: true } }, async (request, reply) => {
    const username = formText(request.body, 'username').trim().toLowerCase()
    const password = formText(request.body, 'password')
    const next = pageUrl(formText(request.body, 'next'), HOME)
    const missing: FieldErrors = {}
    if (username === '') missing.username = 'Username is required'
    if (password === '') missing.password = 'Password is required'
    if (Object.keys(missing).length > 0) return renderForm(reply, username, next, missing, 422)
    const user = await fastify.db.users.findByUsername(username)
    let matches
    try {
      matches = await fastify.checkPassword(username, request.ip, user?.disabled === true ? null : user?.passwordHash, password)
    } catch (error) {
      if (!(error instanceof ProblemError)) throw error
      if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds))
      return renderForm(reply, username, next, { password: error.detail }, error.statusCode)
    }
    if (!matches || user === undefined) return renderForm(reply, username, next, { password: 'The username or password is wrong, or the user is disabled' }, 422)
    signIn(request, user)
    request.flash('success', `Signed in as ${user.username}.`)
    return reply.redirect(next, 303)
  })
}

export default signInPage
