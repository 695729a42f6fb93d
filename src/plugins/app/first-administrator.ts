import { randomBytes } from 'node:crypto'
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { hashPassword } from '../../auth/passwords.js'

export interface FirstAdministratorOptions {
  /** AUTH: only with `on` is an administrator needed to sign in at all. */
  mode: 'on' | 'off'
}

export const FIRST_ADMINISTRATOR = 'admin'

/**
 * With AUTH=on and nobody who can sign in, nothing could ever be done: the
 * first start creates the administrator `admin` with a random password and
 * writes it to the log, this once (it is stored only as a hash).
 */
async function firstAdministrator (fastify: FastifyInstance, { mode }: FirstAdministratorOptions) {
  if (mode === 'off' || await fastify.db.users.countWithPassword() > 0) return
  const password = randomBytes(18).toString('base64url')
  const created = await fastify.db.users.create({
    username: FIRST_ADMINISTRATOR,
    email: null,
    displayName: 'Administrator',
    role: 'admin',
    passwordHash: await hashPassword(password)
  })
  // Another instance starting at the same time created it first.
  if (typeof created === 'string') return
  fastify.log.warn({ username: FIRST_ADMINISTRATOR }, `Created the administrator "${FIRST_ADMINISTRATOR}" with the password ${password} . It is shown only this once: sign in and change it (PATCH /users/me).`)
}

export default fp(firstAdministrator, { name: 'first-administrator', dependencies: ['database'] })
