import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply } from 'fastify'
import { hashPassword } from '../../auth/passwords.js'
import { UserCreate } from '../../schemas/user.js'
import { formText } from '../form-text.js'
import { formCheck, inFormOrder, type FieldErrors } from '../form-validation.js'
import { signIn } from '../page-session.js'
import { renderPage } from '../render-page.js'
import { WEB_PREFIX } from '../web-prefix.js'

/** What the sign-up form keeps when it comes back: everything but the password. */
interface SignUpValues {
  username: string
  display_name: string
  email: string
}

// The fields in their order on the form.
const LABELS = { display_name: 'Name', username: 'Username', email: 'Email', password: 'Password' }
// A person's name, as the sign-up form asks for it, has at least this many characters (the API allows one).
const NAME_MIN_LENGTH = 2
const checkUser = formCheck<UserCreate>(UserCreate, LABELS)

/**
 * The sign-up form (AUTH=on with REGISTRATION=open) and its POST: checked
 * as POST /users checks its body, and the name has at least two
 * characters; a username or email already taken is said beside its field.
 * The new member is signed in at once.
 */
const signUpPage: FastifyPluginAsyncTypebox = async (fastify) => {
  const renderForm = async (reply: FastifyReply, values: SignUpValues, errors: FieldErrors = {}, status = 200) =>
    renderPage(reply, 'sign-up', { title: 'Create an account', values, errors, nameMinLength: NAME_MIN_LENGTH }, status)

  fastify.get('/sign-up', { config: { access: 'public', signedOut: true }, schema: { hide: true } }, async (request, reply) => {
    if (request.principal !== null) return reply.redirect(`${WEB_PREFIX}/tasks`, 303)
    return renderForm(reply, { username: '', display_name: '', email: '' })
  })

  fastify.post('/sign-up', { config: { access: 'public', signedOut: true }, schema: { hide: true } }, async (request, reply) => {
    const values: SignUpValues = {
      username: formText(request.body, 'username').trim(),
      display_name: formText(request.body, 'display_name').trim(),
      email: formText(request.body, 'email').trim()
    }
    const password = formText(request.body, 'password')
    const checked = checkUser({ ...values, password })
    const errors: FieldErrors = { ...checked.errors }
    if (errors.display_name === undefined && [...values.display_name].length < NAME_MIN_LENGTH) {
      errors.display_name = `${LABELS.display_name} must be at least ${NAME_MIN_LENGTH} characters`
    }
    if (checked.errors !== undefined || Object.keys(errors).length > 0) return renderForm(reply, values, inFormOrder(errors, LABELS), 422)
    const created = await fastify.db.users.create({
      username: values.username,
      email: values.email,
      displayName: values.display_name,
      role: 'member',
      passwordHash: await hashPassword(password)
    })
    if (created === 'username-taken') return renderForm(reply, values, { username: 'Username is taken; choose another' }, 422)
    if (created === 'email-taken') return renderForm(reply, values, { email: 'Email belongs to another account already' }, 422)
    signIn(request, created)
    request.flash('success', `Welcome, ${created.display_name}! Your account is ready.`)
    return reply.redirect(`${WEB_PREFIX}/tasks`, 303)
  })
}

export default signUpPage
